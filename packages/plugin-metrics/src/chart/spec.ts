/**
 * What a chart shows, independent of how it is drawn.
 * @module
 */
import type { Series } from "../series.js";
import type { Unit } from "../units.js";

/** Everything needed to draw one chart. */
export interface ChartSpec {
  /** The query as typed (`load fs1`, `rate(http_requests_total[5m])`). */
  title: string;
  /** A second line: the expanded expression, the range and the zone. */
  subtitle?: string;
  series: Series[];
  unit: Unit;
  /** Epoch ms. */
  from: number;
  until: number;
  width: number;
  height: number;
  theme: "dark" | "light";
  timeZone: string;
}
