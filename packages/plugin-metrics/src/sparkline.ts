/**
 * Unicode sparklines: the chart for networks that show no images (IRC, plain text).
 * @module
 */

const BARS = "▁▂▃▄▅▆▇█";

/**
 * Draws values as at most `width` bars between `min` and `max`: each bar is the mean of its share of the points;
 * a bar with no values is a space. A flat series is drawn at mid height.
 */
export function sparkline(values: Array<number | null>, width = 40): string {
  if (values.length === 0) return "";
  const buckets = Math.min(width, values.length);
  const means: Array<number | null> = [];
  for (let b = 0; b < buckets; b++) {
    const start = Math.floor((b * values.length) / buckets);
    const end = Math.floor(((b + 1) * values.length) / buckets);
    let sum = 0;
    let count = 0;
    for (let i = start; i < end; i++) {
      const v = values[i];
      if (v === null || v === undefined || !Number.isFinite(v)) continue;
      sum += v;
      count++;
    }
    means.push(count === 0 ? null : sum / count);
  }
  const present = means.filter((m): m is number => m !== null);
  if (present.length === 0) return " ".repeat(buckets);
  const min = Math.min(...present);
  const max = Math.max(...present);
  return means
    .map((m) => {
      if (m === null) return " ";
      if (max === min) return BARS[3];
      return BARS[Math.round(((m - min) / (max - min)) * (BARS.length - 1))];
    })
    .join("");
}
