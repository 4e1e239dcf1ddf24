/**
 * Against a real Prometheus scraping an exporter written here (prom-client) with known values: the chart, the
 * sparkline, aliases with parameters, instant tables with thresholds, and the errors people see.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { themes } from "../src/chart/theme.js";
import { parseGraphLine } from "../src/grammar.js";
import { runGraph } from "../src/graph-run.js";
import { runMetrics } from "../src/metrics-run.js";
import { decodePng, stateFor } from "./helpers.js";
import { type KnownHistory, startKnownHistory } from "./known-history.js";

let servers: KnownHistory;

beforeAll(async () => {
  servers = await startKnownHistory();
}, 120_000);

afterAll(async () => {
  await servers?.stop();
});

const config = () => ({
  backends: {
    prom: { type: "prometheus" as const, url: servers.prometheus.url },
    down: { type: "prometheus" as const, url: `http://127.0.0.1:${servers.closedPort}`, timeout: "3s" },
  },
  aliases: {
    load: {
      target: 'switchboard_test_load{host="$host"}',
      description: "load of one host",
      thresholds: { warn: 3, fail: 4 },
    },
  },
  chart: { theme: "dark" as const, timeZone: "Europe/Berlin" },
});

const signal = () => AbortSignal.timeout(20_000);

describe("graph against a real Prometheus", () => {
  it("draws both series where their values are, with a legend, title and units", async () => {
    const { state, store } = stateFor(config());
    const result = await runGraph(state, store, parseGraphLine("-1m switchboard_test_load"), signal(), {
      probe: [-1],
    });
    const block = result.reply as { type: string; png: Uint8Array; alt: string; fallback: string };
    expect(block.type).toBe("image");
    if (process.env.DUMP) (await import("node:fs")).writeFileSync(process.env.DUMP, block.png);

    const picture = decodePng(block.png);
    expect([picture.width, picture.height]).toEqual([800, 400]);
    // Not blank: a real share of the pixels is drawn on the background.
    expect(picture.countDifferent(themes.dark.background)).toBeGreaterThan(800 * 400 * 0.01);

    const names = result.series!.shown.map((s) => s.name);
    expect(names.sort()).toEqual(["fs1", "fs2"]);
    const at = (name: string) => {
      const index = result.series!.shown.findIndex((s) => s.name === name);
      return { point: result.pixels![index]![0]!, colour: themes.dark.palette[index]! };
    };
    const fs1 = at("fs1");
    const fs2 = at("fs2");
    // fs1 ends at 5, above fs2 at 2; each line's colour is at its last point, and not between them.
    expect(fs1.point[1]).toBeLessThan(fs2.point[1] - 50);
    expect(picture.hasColourNear(fs1.point[0] - 4, fs1.point[1], fs1.colour)).toBe(true);
    expect(picture.hasColourNear(fs2.point[0] - 4, fs2.point[1], fs2.colour)).toBe(true);
    const between = (fs1.point[1] + fs2.point[1]) / 2;
    expect(picture.hasColourNear(fs1.point[0] - 4, between, fs1.colour, 2)).toBe(false);
    expect(picture.hasColourNear(fs1.point[0] - 4, between, fs2.colour, 2)).toBe(false);

    expect(result.svg).toMatch(/>fs1<\/text>/);
    expect(result.svg).toMatch(/>fs2<\/text>/);
    expect(result.svg).toContain("switchboard_test_load</text>");
    expect(result.svg).toContain("last 1m");
    expect(result.svg).toContain("Europe/Berlin");
  });

  it("tells the same story in the sparkline and the alt text", async () => {
    const { state, store } = stateFor(config());
    const result = await runGraph(state, store, parseGraphLine("-1m switchboard_test_load"), signal());
    const block = result.reply as { alt: string; fallback: string };
    const lines = block.fallback.split("\n");
    expect(lines[0]).toMatch(/^switchboard_test_load · last 1m \(\d\d:\d\d–\d\d:\d\d Europe\/Berlin\)$/);
    const fs1 = lines.find((l) => l.startsWith("fs1"))!;
    const fs2 = lines.find((l) => l.startsWith("fs2"))!;
    // fs1: nothing before the first scrape, low (1) and then high (5); fs2 flat at 2.
    expect(fs1).toMatch(/^fs1 +▁+[▂▃▄▅▆▇]?█+ min 1 max 5 last 5$/);
    expect(fs2).toMatch(/^fs2 +▄+ min 2 max 2 last 2$/);
    expect(block.alt).toContain("fs1: min 1, avg ");
    expect(block.alt).toContain("max 5, last 5.");
    expect(block.alt).toContain("fs2: min 2, avg 2, max 2, last 2.");
  });

  it("puts units on the value axis", async () => {
    const { state, store } = stateFor(config());
    const result = await runGraph(state, store, parseGraphLine("-1m switchboard_test_memory_bytes"), signal());
    expect(result.unit).toBe("bytes");
    expect(result.svg).toContain("MiB</text>");
    expect((result.reply as { fallback: string }).fallback).toMatch(/last 512MiB$/m);
  });

  it("fills an alias's parameter: graph load fs1", async () => {
    const { state, store } = stateFor(config());
    const result = await runGraph(state, store, parseGraphLine("-1m load fs1"), signal());
    expect(result.series!.shown).toHaveLength(1);
    const fallback = (result.reply as { fallback: string }).fallback;
    expect(fallback.split("\n")[0]).toMatch(/^load fs1 · last 1m/);
    expect(fallback).toMatch(/ min 1 max 5 last 5$/m);
    expect(result.svg).toContain("switchboard_test_load{host=&quot;fs1&quot;}");
  });

  it("refuses a parameter that would leave its place in the query", async () => {
    const { state, store } = stateFor(config());
    await expect(runGraph(state, store, parseGraphLine('-1m load fs1"} or vector(1) #'), signal())).rejects.toThrow(
      /takes 1 \(host\)|not allowed/,
    );
    await expect(runGraph(state, store, parseGraphLine('-1m @load(fs1"})'), signal())).rejects.toThrow(/not allowed/);
  });

  it("says when there is no data, naming the range", async () => {
    const { state, store } = stateFor(config());
    const result = await runGraph(state, store, parseGraphLine('-5m switchboard_test_load{host="nope"}'), signal());
    expect(result.reply).toMatchObject({ type: "status", level: "warn" });
    expect((result.reply as { text: string }).text).toMatch(
      /^no data for switchboard_test_load\{host="nope"\} in the last 5m \(\d\d:\d\d–\d\d:\d\d Europe\/Berlin\)$/,
    );
  });

  it("passes Prometheus's own parse error on, in one line", async () => {
    const { state, store } = stateFor(config());
    const error = await runGraph(state, store, parseGraphLine("-5m rate(switchboard_test_load[5m]"), signal()).catch(
      (e: Error) => e,
    );
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).message).toMatch(/^prom: bad_data: .*parse error/);
    expect((error as Error).message).not.toContain("\n");
  });

  it("names an unreachable backend, its address and the setting that holds it, without hanging", async () => {
    const { state, store } = stateFor(config());
    await expect(runGraph(state, store, parseGraphLine("-5m down:up"), signal())).rejects.toThrow(
      `backend down is unreachable at http://127.0.0.1:${servers.closedPort} (plugins.metrics.backends.down.url): ECONNREFUSED`,
    );
  });
});

describe("metrics against a real Prometheus", () => {
  it("shows current values with ok/warn/fail from the alias's thresholds", async () => {
    const { state, store } = stateFor(config());
    const fail = await runMetrics(state, store, "load fs1", signal());
    expect(fail[0]).toEqual({ type: "status", level: "fail", text: "load fs1: 1 fail" });
    expect(fail[1]).toMatchObject({ type: "table", columns: ["series", "value", "state"] });
    expect((fail[1] as { rows: string[][] }).rows[0]!.slice(1)).toEqual(["5", "fail"]);
    const ok = await runMetrics(state, store, "load fs2", signal());
    expect(ok[0]).toEqual({ type: "status", level: "ok", text: "load fs2: 1 ok" });
  });

  it("shows a plain table without thresholds, one row per series", async () => {
    const { state, store } = stateFor(config());
    const blocks = await runMetrics(state, store, "switchboard_test_load", signal());
    const rows = (blocks[1] as { rows: string[][] }).rows;
    expect(rows.map((r) => r.join(" ")).sort()).toEqual(["fs1 5", "fs2 2"]);
  });

  it("sums by a label with --by", async () => {
    const { state, store } = stateFor(config());
    const blocks = await runMetrics(state, store, "switchboard_test_load", signal(), "job");
    expect((blocks[1] as { rows: string[][] }).rows).toEqual([['{job="exporter"}', "7"]]);
  });
});
