/**
 * Prometheus over its HTTP API: `/api/v1/query_range` for charts, `/api/v1/query` for current values.
 * @module
 */
import { UserError } from "@switchboard/core";
import type { BackendConfig } from "../config.js";
import { legendNames, type Series } from "../series.js";
import type { MetricsBackend, RangeQuery, Sample } from "./backend.js";
import { backendGet, backendUrl, oneLine } from "./http.js";

interface PromSuccess<T> {
  status: "success";
  data: { resultType: string; result: T };
  warnings?: string[];
}
interface PromError {
  status: "error";
  errorType?: string;
  error?: string;
}
type Matrix = Array<{ metric: Record<string, string>; values: Array<[number, string]> }>;
type Vector = Array<{ metric: Record<string, string>; value: [number, string] }>;

/** `sum by (label) (expr)`: what `--by label` means for PromQL. */
export function groupBy(expr: string, by: string | undefined): string {
  if (by === undefined) return expr;
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(by)) throw new UserError(`--by ${by}: not a Prometheus label name`);
  return `sum by (${by}) (${expr})`;
}

/** A sample value: `+Inf`/`-Inf` kept for tables, NaN as no value. */
const toNumber = (text: string): number | null => {
  if (text === "+Inf") return Number.POSITIVE_INFINITY;
  if (text === "-Inf") return Number.NEGATIVE_INFINITY;
  const value = Number(text);
  return Number.isNaN(value) ? null : value;
};

/** A value to draw: only finite numbers. */
const drawable = (text: string): number | null => {
  const value = toNumber(text);
  return value !== null && Number.isFinite(value) ? value : null;
};

/**
 * Puts Prometheus's points (it leaves out steps without data) on the full step grid, with null where a step has
 * no value, so gaps show as gaps in the chart and the sparkline.
 */
export function onGrid(
  start: number,
  end: number,
  stepMs: number,
  values: Array<[number, string]>,
): Array<[number, number | null]> {
  const byTime = new Map(values.map(([t, v]) => [Math.round(t * 1000), drawable(v)]));
  const points: Array<[number, number | null]> = [];
  for (let t = start; t <= end; t += stepMs) points.push([t, byTime.get(t) ?? null]);
  return points;
}

/** A Prometheus backend. */
export class PrometheusBackend implements MetricsBackend {
  readonly type = "prometheus" as const;

  constructor(
    readonly name: string,
    private readonly config: BackendConfig,
  ) {}

  async #get<T>(path: string, params: Array<[string, string]>, signal: AbortSignal): Promise<PromSuccess<T>> {
    const url = backendUrl(this.config.url, path, params);
    const response = await backendGet(this.name, this.config, url, signal);
    let parsed: PromSuccess<T> | PromError | undefined;
    try {
      parsed = JSON.parse(response.body.toString("utf8")) as PromSuccess<T> | PromError;
    } catch {
      parsed = undefined;
    }
    if (parsed?.status === "success") return parsed;
    if (parsed?.status === "error")
      throw new UserError(
        `${this.name}: ${parsed.errorType ? `${parsed.errorType}: ` : ""}${oneLine(parsed.error ?? "")}`,
      );
    throw new UserError(
      `${this.name}: HTTP ${response.status}: ${oneLine(response.body.toString("utf8")) || "no answer"}`,
    );
  }

  async range(query: RangeQuery): Promise<Series[]> {
    const expr = groupBy(query.target, query.by);
    const seconds = (ms: number) => (ms / 1000).toFixed(3);
    // Steps end exactly at `until`, so the newest value is in the chart.
    const start = query.until - Math.floor((query.until - query.from) / query.stepMs) * query.stepMs;
    const answer = await this.#get<Matrix>(
      "/api/v1/query_range",
      [
        ["query", expr],
        ["start", seconds(start)],
        ["end", seconds(query.until)],
        ["step", `${query.stepMs / 1000}s`],
        ["timeout", `${Math.max(1, Math.floor(this.config.timeout / 1000))}s`],
      ],
      query.signal,
    );
    if (answer.data.resultType !== "matrix")
      throw new UserError(`${this.name}: the expression gives a ${answer.data.resultType}, not a range of values`);
    const result = answer.data.result;
    const names = legendNames(
      result.map((r) => r.metric),
      expr,
    );
    return result.map((r, i) => ({
      name: names[i]!,
      labels: r.metric,
      points: onGrid(start, query.until, query.stepMs, r.values),
    }));
  }

  async instant(target: string, signal: AbortSignal, by?: string): Promise<Sample[]> {
    const expr = groupBy(target, by);
    const answer = await this.#get<Vector | [number, string]>(
      "/api/v1/query",
      [
        ["query", expr],
        ["timeout", `${Math.max(1, Math.floor(this.config.timeout / 1000))}s`],
      ],
      signal,
    );
    const { resultType, result } = answer.data;
    if (resultType === "scalar" || resultType === "string") {
      const [t, v] = result as [number, string];
      return [{ name: expr, labels: {}, time: Math.round(t * 1000), value: toNumber(v) }];
    }
    if (resultType !== "vector") throw new UserError(`${this.name}: the expression gives a ${resultType}`);
    const vector = result as Vector;
    const names = legendNames(
      vector.map((r) => r.metric),
      expr,
    );
    return vector.map((r, i) => ({
      name: names[i]!,
      labels: r.metric,
      time: Math.round(r.value[0] * 1000),
      value: toNumber(r.value[1]),
    }));
  }
}
