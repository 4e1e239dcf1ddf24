/**
 * Series as every backend returns them, their statistics, and the cap on how many are drawn.
 * @module
 */

/** One time series: a name for the legend, its labels, and points `[epoch ms, value or null]`. */
export interface Series {
  name: string;
  labels: Record<string, string>;
  points: Array<[time: number, value: number | null]>;
}

/** min/avg/max/last over the non-null values of a series. */
export interface SeriesStats {
  min: number | null;
  avg: number | null;
  max: number | null;
  last: number | null;
  /** Number of non-null points. */
  count: number;
}

/** Statistics of a series (all null when it has no values). */
export function seriesStats(series: Series): SeriesStats {
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  let sum = 0;
  let count = 0;
  let last: number | null = null;
  for (const [, value] of series.points) {
    if (value === null || !Number.isFinite(value)) continue;
    if (value < min) min = value;
    if (value > max) max = value;
    sum += value;
    count++;
    last = value;
  }
  if (count === 0) return { min: null, avg: null, max: null, last: null, count };
  return { min, avg: sum / count, max, last, count };
}

/** The series to draw and what was left out. */
export interface CappedSeries {
  shown: Array<Series & { stats: SeriesStats }>;
  hidden: Array<Series & { stats: SeriesStats }>;
}

/** Keeps the `max` series with the highest last value (series without values go last). */
export function capSeries(series: Series[], max: number): CappedSeries {
  const withStats = series.map((s) => ({ ...s, stats: seriesStats(s) }));
  const sorted =
    withStats.length > max
      ? [...withStats].sort(
          (a, b) => (b.stats.last ?? Number.NEGATIVE_INFINITY) - (a.stats.last ?? Number.NEGATIVE_INFINITY),
        )
      : withStats;
  return { shown: sorted.slice(0, max), hidden: sorted.slice(max) };
}

/** `{instance="fs1", job="node"}` for a label set (without `__name__`, sorted). */
export function formatLabels(labels: Record<string, string>): string {
  const keys = Object.keys(labels)
    .filter((k) => k !== "__name__")
    .sort();
  return `{${keys.map((k) => `${k}="${labels[k]}"`).join(", ")}}`;
}

/**
 * Legend names for Prometheus series: only the labels that differ between the series (`fs1`, or
 * `instance=fs1, job=node` when several differ); the metric name when there is one series.
 */
export function legendNames(labelSets: Array<Record<string, string>>, fallback: string): string[] {
  const keys = new Set(labelSets.flatMap((l) => Object.keys(l)));
  const varying = [...keys].filter((k) => new Set(labelSets.map((l) => l[k] ?? "")).size > 1).sort();
  return labelSets.map((labels) => {
    if (varying.length === 0) {
      const name = labels.__name__;
      const rest = formatLabels(labels);
      return name ? (rest === "{}" ? name : `${name}${rest}`) : rest === "{}" ? fallback : rest;
    }
    if (varying.length === 1) return labels[varying[0]!] ?? "";
    return varying.map((k) => `${k}=${labels[k] ?? ""}`).join(", ");
  });
}
