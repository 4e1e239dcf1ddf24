/**
 * How someone could abuse the plugin, against a real Prometheus: ranges and steps that would exhaust the backend,
 * a query that selects every series, a target that tries to choose the server (SSRF), and names that are
 * JavaScript object keys.
 */
import { createServer, type Server } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { metricsConfigSchema } from "../src/config.js";
import { parseGraphLine } from "../src/grammar.js";
import { runGraph } from "../src/graph-run.js";
import { stateFor } from "./helpers.js";
import { type KnownHistory, startKnownHistory } from "./known-history.js";

let servers: KnownHistory;
let victim: Server;
let victimHits = 0;
let victimPort: number;

beforeAll(async () => {
  servers = await startKnownHistory();
  victim = createServer((_request, response) => {
    victimHits++;
    response.end("secret");
  });
  await new Promise<void>((resolve) => victim.listen(0, "127.0.0.1", resolve));
  victimPort = (victim.address() as { port: number }).port;
}, 120_000);

afterAll(async () => {
  victim?.close();
  await servers?.stop();
});

const config = (extra: Record<string, unknown> = {}) => ({
  backends: { prom: { type: "prometheus" as const, url: servers.prometheus.url, ...extra } },
  maxSeries: 3,
});
const signal = () => AbortSignal.timeout(20_000);

describe("a range or step meant to exhaust the backend", () => {
  it("refuses ranges beyond maxRange before asking the backend", async () => {
    const { state, store } = stateFor(config());
    await expect(runGraph(state, store, parseGraphLine("-10y up"), signal())).rejects.toThrow(
      "the range -10y is longer than the limit of 30d",
    );
  });

  it("keeps every series of the longest allowed range under the point cap", async () => {
    const { state, store } = stateFor(config());
    const result = await runGraph(state, store, parseGraphLine("-30d switchboard_test_load"), signal());
    expect(result.stepMs).toBe(3_600_000);
    for (const series of [...result.series!.shown, ...result.series!.hidden])
      expect(series.points.length).toBeLessThanOrEqual(1000);
  });
});

describe("a query that selects everything", () => {
  it("draws only the top series by last value and counts the rest", async () => {
    const { state, store } = stateFor(config());
    const result = await runGraph(state, store, parseGraphLine('-1m {__name__=~".+"}'), signal());
    expect(result.series!.shown).toHaveLength(3);
    expect(result.series!.hidden.length).toBeGreaterThan(20);
    const last = (s: { stats: { last: number | null } }) => s.stats.last ?? Number.NEGATIVE_INFINITY;
    const lowestShown = Math.min(...result.series!.shown.map(last));
    expect(result.series!.hidden.every((s) => last(s) <= lowestShown)).toBe(true);
    expect((result.reply as { fallback: string }).fallback).toMatch(
      new RegExp(`^\\+ ${result.series!.hidden.length} more series not drawn \\(last values: `, "m"),
    );
  });

  it("stops reading an answer larger than maxResponseBytes", async () => {
    const { state, store } = stateFor(config({ maxResponseBytes: 4096 }));
    await expect(runGraph(state, store, parseGraphLine('-1h {__name__=~".+"}'), signal())).rejects.toThrow(
      /^backend prom answered with more than/,
    );
  });
});

describe("a target that tries to choose the server (SSRF)", () => {
  it("sends URLs and unknown prefixes to the configured backend as expressions, never fetching them", async () => {
    const { state, store } = stateFor(config());
    for (const target of [
      `http://127.0.0.1:${victimPort}/x`,
      `victim:127.0.0.1:${victimPort}`,
      `//127.0.0.1:${victimPort}`,
      `@127.0.0.1:${victimPort}`,
    ]) {
      const error = await runGraph(state, store, parseGraphLine(`-5m ${target}`), signal()).catch((e: Error) => e);
      expect(error).toBeInstanceOf(Error);
      expect((error as Error).message).toMatch(/^prom: bad_data: /);
    }
    expect(victimHits).toBe(0);
  });

  it("refuses credentials, queries and other schemes in backend URLs in the configuration", () => {
    const parse = (url: string) => metricsConfigSchema.safeParse({ backends: { p: { type: "prometheus", url } } });
    expect(parse("http://user:pass@127.0.0.1:9090").success).toBe(false);
    expect(parse("http://127.0.0.1:9090/?x=1").success).toBe(false);
    expect(parse("file:///etc/passwd").success).toBe(false);
    expect(parse("http://127.0.0.1:9090/prometheus").success).toBe(true);
  });
});

describe("names that are JavaScript object keys", () => {
  it("treats constructor and __proto__ as unknown aliases and backends, not as crashes", async () => {
    const { state, store } = stateFor(config());
    expect(await state.aliases.get(store, "constructor")).toBeUndefined();
    expect(await state.aliases.get(store, "__proto__")).toBeUndefined();
    for (const target of ["constructor:up", "__proto__:up", "@constructor()", "toString"]) {
      const outcome = await runGraph(state, store, parseGraphLine(`-1m ${target}`), signal()).catch((e: Error) => e);
      if (outcome instanceof Error) expect(outcome.message).toMatch(/^(prom: bad_data|no alias "constructor")/);
      else expect(outcome.reply).toMatchObject({ type: "status", level: "warn" });
    }
  });
});
