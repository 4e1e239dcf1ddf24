/**
 * The words that go with a chart: the alt text (every series' min/avg/max/last) and the plain-text fallback
 * (a sparkline line per series), so IRC and screen readers get the same story as the picture.
 * @module
 */
import type { CappedSeries } from "./series.js";
import { sparkline } from "./sparkline.js";
import { formatValue, type Unit } from "./units.js";

const MAX_HIDDEN_NAMED = 5;
const NAME_WIDTH = 24;

function shorten(name: string, width: number): string {
  const chars = [...name];
  return chars.length <= width ? name : `${chars.slice(0, width - 1).join("")}…`;
}

/** `and 7 more series (a 3, b 2, …)`, or nothing. */
function hiddenNote(capped: CappedSeries, unit: Unit): string | undefined {
  if (capped.hidden.length === 0) return undefined;
  const named = capped.hidden
    .slice(0, MAX_HIDDEN_NAMED)
    .map((s) => `${s.name} ${formatValue(s.stats.last, unit)}`)
    .join(", ");
  const more = capped.hidden.length > MAX_HIDDEN_NAMED ? ", …" : "";
  return `${capped.hidden.length} more series not drawn (last values: ${named}${more})`;
}

/** Alt text: `<title>. fs1: min 1, avg 2, max 3, last 3. fs2: …` plus the series left out. */
export function altText(title: string, capped: CappedSeries, unit: Unit): string {
  const parts = [`Line chart: ${title}.`];
  for (const s of capped.shown) {
    const { min, avg, max, last } = s.stats;
    if (s.stats.count === 0) parts.push(`${s.name}: no values.`);
    else
      parts.push(
        `${s.name}: min ${formatValue(min, unit)}, avg ${formatValue(avg, unit)}, max ${formatValue(max, unit)}, last ${formatValue(last, unit)}.`,
      );
  }
  const hidden = hiddenNote(capped, unit);
  if (hidden) parts.push(`${hidden}.`);
  return parts.join(" ");
}

/** The plain-text chart: a title line, then `name ▁▂▃▅▇ min … max … last …` per series. */
export function fallbackText(title: string, capped: CappedSeries, unit: Unit, width = 40): string {
  const nameWidth = Math.min(NAME_WIDTH, Math.max(...capped.shown.map((s) => [...s.name].length), 1));
  const lines = [title];
  for (const s of capped.shown) {
    const name = shorten(s.name, NAME_WIDTH).padEnd(nameWidth);
    const spark = sparkline(
      s.points.map(([, v]) => v),
      width,
    );
    const { min, max, last } = s.stats;
    lines.push(
      `${name} ${spark} min ${formatValue(min, unit)} max ${formatValue(max, unit)} last ${formatValue(last, unit)}`,
    );
  }
  const hidden = hiddenNote(capped, unit);
  if (hidden) lines.push(`+ ${hidden}`);
  return lines.join("\n");
}
