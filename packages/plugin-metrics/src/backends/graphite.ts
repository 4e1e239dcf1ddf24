/**
 * Graphite over its render API: `format=json` for the series (the bot draws them like every other chart), and
 * `format=png` when the configuration asks Graphite to draw.
 * @module
 */
import { UserError } from "@switchboard/core";
import type { BackendConfig } from "../config.js";
import type { Series } from "../series.js";
import type { BackendPicture, MetricsBackend, PictureOptions, RangeQuery, Sample } from "./backend.js";
import { type BackendResponse, backendGet, backendUrl, oneLine } from "./http.js";

type RenderJson = Array<{ target: string; tags?: Record<string, string>; datapoints: Array<[number | null, number]> }>;

/** What `--by` means for Graphite: a node number groups by node, a name by tag (both summed). */
export function graphiteGroupBy(target: string, by: string | undefined): string {
  if (by === undefined) return target;
  if (/^\d{1,2}$/.test(by)) return `groupByNode(${target},${by},"sum")`;
  if (/^[A-Za-z_][A-Za-z0-9_]*$/.test(by)) return `groupByTags(${target},"sum","${by}")`;
  throw new UserError(`--by ${by}: use a node number or a tag name`);
}

/** `KeyError: 'Invalid offset: x'` from a traceback page, or undefined. */
function lastExceptionLine(html: string): string | undefined {
  const lines = html
    .replace(/<[^>]+>/g, "\n")
    .split(/\r?\n/)
    .map((l) => oneLine(l))
    .filter((l) => /^[A-Za-z_.]*(?:Error|Exception)\b.*:/.test(l));
  return lines.at(-1);
}

const seconds = (ms: number) => String(Math.floor(ms / 1000));

/** A Graphite backend. */
export class GraphiteBackend implements MetricsBackend {
  readonly type = "graphite" as const;
  readonly picture?: MetricsBackend["picture"];

  constructor(
    readonly name: string,
    private readonly config: BackendConfig,
  ) {
    if (config.render === "png") this.picture = (targets, query, options) => this.#png(targets, query, options);
  }

  #fail(response: BackendResponse): never {
    const body = response.body.toString("utf8");
    // graphite-web answers an exception with an HTML page holding the traceback: its last line says what broke.
    const traceback = body.includes("Traceback") ? lastExceptionLine(body) : undefined;
    const text = traceback ?? oneLine(body);
    throw new UserError(`${this.name}: HTTP ${response.status}${text ? `: ${text}` : ""}`);
  }

  async #json(params: Array<[string, string]>, signal: AbortSignal): Promise<RenderJson> {
    const url = backendUrl(this.config.url, "/render", [...params, ["format", "json"]]);
    const response = await backendGet(this.name, this.config, url, signal);
    if (response.status !== 200) this.#fail(response);
    try {
      const parsed = JSON.parse(response.body.toString("utf8")) as unknown;
      if (!Array.isArray(parsed)) throw new Error("not a list");
      return parsed as RenderJson;
    } catch {
      throw new UserError(`${this.name}: the render API did not answer with JSON`);
    }
  }

  async range(query: RangeQuery): Promise<Series[]> {
    const result = await this.#json(
      [
        ["target", graphiteGroupBy(query.target, query.by)],
        ["from", seconds(query.from)],
        ["until", seconds(query.until)],
        ["maxDataPoints", String(query.maxPoints)],
      ],
      query.signal,
    );
    return result.map((s) => ({
      name: s.target,
      labels: s.tags ?? {},
      points: s.datapoints.map(
        ([v, t]) => [t * 1000, typeof v === "number" && Number.isFinite(v) ? v : null] as [number, number | null],
      ),
    }));
  }

  async instant(target: string, signal: AbortSignal, by?: string): Promise<Sample[]> {
    const now = Date.now();
    const result = await this.#json(
      [
        ["target", graphiteGroupBy(target, by)],
        ["from", seconds(now - 15 * 60_000)],
        ["until", seconds(now)],
      ],
      signal,
    );
    return result.map((s) => {
      const last = [...s.datapoints].reverse().find(([v]) => typeof v === "number");
      return {
        name: s.target,
        labels: s.tags ?? {},
        time: last ? last[1] * 1000 : now,
        value: last ? (last[0] as number) : null,
      };
    });
  }

  async #png(targets: string[], query: Omit<RangeQuery, "target">, size: PictureOptions): Promise<BackendPicture> {
    const dark = size.theme === "dark";
    const url = backendUrl(this.config.url, "/render", [
      ...targets.map((t): [string, string] => ["target", graphiteGroupBy(t, query.by)]),
      ["from", seconds(query.from)],
      ["until", seconds(query.until)],
      ["format", "png"],
      ["width", String(size.width)],
      ["height", String(size.height)],
      ["title", size.title],
      ["bgcolor", dark ? "1b1e23" : "ffffff"],
      ["fgcolor", dark ? "e6e6e6" : "222222"],
      ["fontName", "DejaVu Sans"],
      ["tz", size.timeZone],
    ]);
    const response = await backendGet(this.name, this.config, url, query.signal, "image/png");
    if (response.status !== 200) this.#fail(response);
    if (!response.contentType.startsWith("image/png"))
      throw new UserError(`${this.name}: the render API answered with ${response.contentType || "no type"}, not a PNG`);
    return { png: new Uint8Array(response.body) };
  }
}
