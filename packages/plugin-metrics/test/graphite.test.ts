/**
 * Against a real Graphite (graphite-web + carbon from Debian, served by gunicorn): the render API's JSON drawn by
 * the bot, `--by` as groupByNode, Graphite's own errors in one line, the PNG passthrough, current values.
 */
import { eventually, type GraphiteServer, startGraphite } from "@switchboard/test-servers";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseGraphLine } from "../src/grammar.js";
import { runGraph } from "../src/graph-run.js";
import { runMetrics } from "../src/metrics-run.js";
import { decodePng, stateFor } from "./helpers.js";

let graphite: GraphiteServer;
/** The newest whole 10 s step the data was written at. */
let last: number;

beforeAll(async () => {
  graphite = await startGraphite();
  last = Math.floor(Date.now() / 10_000) * 10 - 10;
  // fs1 climbs 1..6 over the last minute (one point per 10 s step); fs2 stays at 2.
  const lines: Array<[string, number, number]> = [];
  for (let i = 0; i < 6; i++) {
    lines.push(["servers.fs1.load", i + 1, last - 50 + i * 10]);
    lines.push(["servers.fs2.load", 2, last - 50 + i * 10]);
  }
  await graphite.send(lines);
  await eventually(
    "carbon has the points",
    async () => {
      const response = await fetch(`${graphite.url}/render?target=servers.*.load&from=-5min&format=json`);
      const body = (await response.json()) as Array<{ datapoints: Array<[number | null, number]> }>;
      const values = body.flatMap((s) => s.datapoints.filter(([v]) => v !== null));
      return body.length === 2 && values.length === 12;
    },
    30_000,
  ).catch((error: Error) => {
    throw new Error(`${error.message}\n${graphite.log()}`);
  });
}, 180_000);

afterAll(async () => {
  await graphite?.stop();
});

const config = (render: "json" | "png" = "json") => ({
  backends: {
    prom: { type: "prometheus" as const, url: "http://127.0.0.1:9" },
    graphite: { type: "graphite" as const, url: graphite.url, render },
  },
  aliases: { load: { backend: "graphite", target: "servers.$host.load", thresholds: { warn: 4, fail: 6 } } },
});

const signal = () => AbortSignal.timeout(20_000);

describe("graph against a real Graphite", () => {
  it("draws the render API's JSON like every other chart", async () => {
    const { state, store } = stateFor(config());
    const result = await runGraph(state, store, parseGraphLine("-5min graphite:servers.*.load"), signal());
    const block = result.reply as { type: string; png: Uint8Array; fallback: string; alt: string };
    expect(block.type).toBe("image");
    expect(decodePng(block.png).width).toBe(800);
    expect(result.svg).toMatch(/>servers\.fs1\.load<\/text>/);
    const lines = block.fallback.split("\n");
    expect(lines).toContainEqual(
      expect.stringMatching(/^servers\.fs1\.load +[ ▁]*▁[▂▃]*[▃▄]?[▄▅]*[▆▇]*█+ *min 1 max 6 last 6$/),
    );
    expect(lines).toContainEqual(expect.stringMatching(/^servers\.fs2\.load +[ ▄]+ min 2 max 2 last 2$/));
    expect(block.alt).toContain("servers.fs1.load: min 1, avg 3.5, max 6, last 6.");
  });

  it("fills an alias on the Graphite backend and groups by node with --by", async () => {
    const { state, store } = stateFor(config());
    const alias = await runGraph(state, store, parseGraphLine("-5min load fs2"), signal());
    expect((alias.reply as { fallback: string }).fallback).toMatch(/^load fs2 +[ ▄]+ min 2 max 2 last 2$/m);
    const grouped = await runGraph(state, store, parseGraphLine("-5min graphite:servers.*.load --by 1"), signal());
    expect(grouped.series!.shown.map((s) => s.name).sort()).toEqual(["fs1", "fs2"]);
  });

  it("passes Graphite's own errors on in one line", async () => {
    const { state, store } = stateFor(config());
    await expect(
      runGraph(state, store, parseGraphLine("-5min graphite:nosuchfunc(servers.*.load)"), signal()),
    ).rejects.toThrow(/^graphite: HTTP 400: Invalid parameters \(Received request for unknown function: nosuchfunc\)/);
    const crash = await runGraph(
      state,
      store,
      parseGraphLine('-5min graphite:movingAverage(servers.fs1.load,"x")'),
      signal(),
    ).catch((e: Error) => e);
    expect((crash as Error).message).toBe("graphite: HTTP 500: KeyError: 'Invalid offset: x'");
  });

  it("passes Graphite's PNG through when configured, with the sparkline still from the JSON", async () => {
    const { state, store } = stateFor(config("png"));
    const result = await runGraph(state, store, parseGraphLine("-5min graphite:servers.*.load"), signal());
    const block = result.reply as { png: Uint8Array; fallback: string };
    const picture = decodePng(block.png);
    expect([picture.width, picture.height]).toEqual([800, 400]);
    expect(result.svg).toBeUndefined();
    expect(block.fallback).toMatch(/^servers\.fs1\.load .* min 1 max 6 last 6$/m);
  });

  it("shows the newest values with thresholds", async () => {
    const { state, store } = stateFor(config());
    const blocks = await runMetrics(state, store, "load fs1", signal());
    expect(blocks[0]).toEqual({ type: "status", level: "fail", text: "load fs1: 1 fail" });
    expect((blocks[1] as { rows: string[][] }).rows).toEqual([["servers.fs1.load", "6", "fail"]]);
  });
});
