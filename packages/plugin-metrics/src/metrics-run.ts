/**
 * Runs `metrics <expr>`: the current values as a table, each marked ok/warn/fail when the alias has thresholds.
 * @module
 */
import { type Block, out, type Store } from "@switchboard/core";
import type { MetricsState } from "./state.js";
import { resolveTarget } from "./targets.js";
import { levelOf, worst } from "./thresholds.js";
import { formatValue, guessUnit } from "./units.js";

/** Rows shown at most; the rest are counted. */
export const MAX_ROWS = 30;

/** Runs an instant query for one target (`by` groups by a label). */
export async function runMetrics(
  state: MetricsState,
  store: Store,
  text: string,
  signal: AbortSignal,
  by?: string,
): Promise<Block[]> {
  const target = await resolveTarget(state, store, text);
  const samples = await target.backend.instant(target.expression, signal, by);
  if (samples.length === 0) return [out.status("warn", `no data for ${target.display} right now`)];
  const unit = target.unit ?? guessUnit(target.expression);
  const sorted =
    samples.length > MAX_ROWS
      ? [...samples].sort((a, b) => (b.value ?? Number.NEGATIVE_INFINITY) - (a.value ?? Number.NEGATIVE_INFINITY))
      : samples;
  const shown = sorted.slice(0, MAX_ROWS);
  const levels = shown.map((s) => levelOf(s.value, target.thresholds));
  const columns = target.thresholds ? ["series", "value", "state"] : ["series", "value"];
  const rows = shown.map((s, i) => {
    const row = [s.name, formatValue(s.value, unit)];
    if (target.thresholds) row.push(levels[i] ?? "–");
    return row;
  });
  const blocks: Block[] = [];
  const overall = worst(levels);
  const counts = (["fail", "warn", "ok"] as const)
    .map((l) => [l, levels.filter((x) => x === l).length] as const)
    .filter(([, n]) => n > 0)
    .map(([l, n]) => `${n} ${l}`)
    .join(", ");
  blocks.push(
    overall
      ? out.status(overall, `${target.display}: ${counts}`)
      : out.text(`${target.display} (${target.backend.name}, now)`),
  );
  blocks.push(out.table(columns, rows));
  if (sorted.length > shown.length)
    blocks.push(out.text(`${sorted.length - shown.length} more series not shown (highest values first)`));
  return blocks;
}
