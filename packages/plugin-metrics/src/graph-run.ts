/**
 * Runs a parsed `graph` line: resolves targets, queries the backends over a bounded range, caps the series,
 * draws the chart and writes the alt text and the sparkline fallback.
 * @module
 */
import { type ImageBlock, out, type Reply, type Store, UserError } from "@switchboard/core";
import type { RangeQuery } from "./backends/backend.js";
import { renderChart } from "./chart/render.js";
import { formatWallTime } from "./chart/time-zone.js";
import type { MetricsConfig } from "./config.js";
import type { GraphLine } from "./grammar.js";
import { type CappedSeries, capSeries, type Series } from "./series.js";
import type { MetricsState } from "./state.js";
import { altText, fallbackText } from "./summary.js";
import { type ResolvedTarget, resolveTarget } from "./targets.js";
import { describeSpan, pointCount, resolveRange, stepFor, type TimeRange } from "./time-range.js";
import { guessUnit, type Unit } from "./units.js";

/** What a graph produced, besides the reply (for tests and measurements). */
export interface GraphResult {
  reply: Reply;
  series?: CappedSeries;
  range: TimeRange;
  stepMs: number;
  unit?: Unit;
  svg?: string;
  renderMs?: number;
  /** Pixel positions of the probed points (see {@link GraphOptions.probe}). */
  pixels?: Array<Array<[number, number] | null>>;
}

/** Options of {@link runGraph}. */
export interface GraphOptions {
  /** "Now" in epoch ms (default: the clock). */
  now?: number;
  /** Point indexes (negative from the end) whose pixel positions the result reports, per drawn series. */
  probe?: number[];
}

/** The range of a line: typed, or the configured default. */
export function rangeOf(config: MetricsConfig, line: GraphLine, now: number): TimeRange {
  if (line.range !== undefined) return resolveRange(line.range, now, config.maxRange);
  return {
    from: now - config.defaultRange,
    until: now,
    label: `last ${describeSpan(config.defaultRange)}`,
  };
}

/** `12:00–13:00 UTC` (with dates when the range is longer than a day). */
function rangeWords(state: MetricsState, range: TimeRange): string {
  const { timeZone } = state.config.chart;
  const withDate = range.until - range.from > 86_400_000 || Date.now() - range.until > 3_600_000;
  return `${formatWallTime(timeZone, range.from, { withDate })}–${formatWallTime(timeZone, range.until, { withDate })} ${timeZone}`;
}

/** Names series from several targets apart: `target` alone for one series, else `target name`. */
function label(target: ResolvedTarget, series: Series[], several: boolean): Series[] {
  if (!several) return series;
  if (series.length === 1) return [{ ...series[0]!, name: target.display }];
  return series.map((s) => ({ ...s, name: `${target.display} ${s.name}` }));
}

/** Runs a `graph` line. */
export async function runGraph(
  state: MetricsState,
  store: Store,
  line: GraphLine,
  signal: AbortSignal,
  options: GraphOptions = {},
): Promise<GraphResult> {
  const { config } = state;
  const now = options.now ?? Date.now();
  const range = rangeOf(config, line, now);
  const stepMs = stepFor(range, config.maxPoints);
  if (pointCount(range, stepMs) > config.maxPoints + 1) throw new Error("step selection exceeded the point cap");
  const targets = await Promise.all(line.targets.map((t) => resolveTarget(state, store, t)));
  const base: Omit<RangeQuery, "target"> = {
    ...(line.by !== undefined ? { by: line.by } : {}),
    from: range.from,
    until: range.until,
    stepMs,
    maxPoints: config.maxPoints,
    signal,
  };
  const results = await Promise.all(targets.map((t) => t.backend.range({ ...base, target: t.expression })));
  const labelled = results.flatMap((series, i) => label(targets[i]!, series, targets.length > 1));
  // One series: the title already says what it is; the legend names the target as typed.
  const all = labelled.length === 1 ? [{ ...labelled[0]!, name: targets[0]!.display }] : labelled;
  const title = targets.map((t) => t.display).join(" + ");
  const when = `${range.label} (${rangeWords(state, range)})`;
  if (all.length === 0 || all.every((s) => s.points.every(([, v]) => v === null)))
    return { reply: out.status("warn", `no data for ${title} in the ${when}`), range, stepMs };

  const capped = capSeries(all, config.maxSeries);
  const unit = targets.find((t) => t.unit)?.unit ?? guessUnit(targets[0]!.expression);
  const expanded = targets.map((t) => t.expression).join(" + ");
  const subtitle = `${expanded !== title ? `${expanded} · ` : ""}${when}`;
  const { width, height, theme, timeZone } = config.chart;
  const pictureBackend = targets.every((t) => t.backend === targets[0]!.backend) ? targets[0]!.backend : undefined;

  let png: Uint8Array;
  let svg: string | undefined;
  let renderMs: number | undefined;
  let pixels: GraphResult["pixels"];
  if (pictureBackend?.picture) {
    ({ png } = await pictureBackend.picture(
      targets.map((t) => t.expression),
      base,
      { width, height, theme, timeZone, title: `${title} · ${range.label}` },
    ));
  } else {
    const chart = await state.renders.run(
      () =>
        renderChart(
          {
            title,
            subtitle,
            series: capped.shown,
            unit,
            from: range.from,
            until: range.until,
            width,
            height,
            theme,
            timeZone,
          },
          options.probe,
        ),
      signal,
    );
    ({ png, svg, renderMs, pixels } = chart);
  }
  const heading = `${title} · ${when}`;
  const url = state.images?.publish(png);
  const image: ImageBlock = out.image(png, altText(heading, capped, unit), {
    fallback: fallbackText(heading, capped, unit),
    ...(url ? { url } : {}),
  });
  return {
    reply: image,
    series: capped,
    range,
    stepMs,
    unit,
    ...(svg !== undefined ? { svg } : {}),
    ...(renderMs !== undefined ? { renderMs } : {}),
    ...(pixels !== undefined ? { pixels } : {}),
  };
}

/** Checks before any I/O that a line can be graphed (range and `--by`), so mistakes fail fast. */
export function checkLine(config: MetricsConfig, line: GraphLine): void {
  rangeOf(config, line, Date.now());
  if (line.targets.length > config.maxSeries) throw new UserError(`at most ${config.maxSeries} targets in one graph`);
}
