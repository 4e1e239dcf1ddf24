/**
 * What every metrics backend offers the commands.
 * @module
 */
import type { Series } from "../series.js";

/** A range query, already bounded: absolute times, a step that keeps points under the cap. */
export interface RangeQuery {
  /** The expression (PromQL) or target (Graphite), parameters already filled in. */
  target: string;
  /** `--by`: a label (Prometheus) or a node number / tag (Graphite). */
  by?: string;
  /** Epoch milliseconds. */
  from: number;
  until: number;
  stepMs: number;
  maxPoints: number;
  signal: AbortSignal;
}

/** One current value (`metrics`). */
export interface Sample {
  name: string;
  labels: Record<string, string>;
  /** Epoch milliseconds of the value. */
  time: number;
  value: number | null;
}

/** A picture the backend drew itself (Graphite `format=png`). */
export interface BackendPicture {
  png: Uint8Array;
}

/** How a backend-drawn picture should look. */
export interface PictureOptions {
  width: number;
  height: number;
  theme: "dark" | "light";
  title: string;
  timeZone: string;
}

/** A configured metrics server. */
export interface MetricsBackend {
  readonly name: string;
  readonly type: "prometheus" | "graphite";
  /** Series over a range. Throws a UserError with the backend's own message for a bad expression. */
  range(query: RangeQuery): Promise<Series[]>;
  /** Current values. */
  instant(target: string, signal: AbortSignal, by?: string): Promise<Sample[]>;
  /** Present when the backend draws the chart itself (Graphite with `render: png`). */
  picture?(targets: string[], query: Omit<RangeQuery, "target">, options: PictureOptions): Promise<BackendPicture>;
}
