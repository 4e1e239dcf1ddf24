import { describe, expect, it } from "vitest";
import { parseGraphLine, splitTopLevel } from "../src/grammar.js";
import { rawRest } from "../src/raw-text.js";
import { parseRelativeTime, pointCount, resolveRange, stepFor } from "../src/time-range.js";

const HOUR = 3_600_000;

describe("graph grammar (hubot-graphme's)", () => {
  it("reads a range and a Graphite target", () => {
    expect(parseGraphLine("-1h load.fs1")).toEqual({ range: "-1h", targets: ["load.fs1"] });
  });

  it("reads from..until and keeps PromQL intact, brackets and quotes included", () => {
    expect(parseGraphLine('-6h..-1h rate(http_requests_total{job="api", code=~"5.."}[5m])')).toEqual({
      range: "-6h..-1h",
      targets: ['rate(http_requests_total{job="api", code=~"5.."}[5m])'],
    });
  });

  it("splits targets at ' + ' outside brackets only, and takes --by at the end", () => {
    expect(parseGraphLine("-1d up + sum(a + b) + x+y --by job")).toEqual({
      range: "-1d",
      targets: ["up", "sum(a + b)", "x+y"],
      by: "job",
    });
  });

  it("accepts hubot's 'graph me', no range, and an alias with words", () => {
    expect(parseGraphLine("me load fs1")).toEqual({ targets: ["load fs1"] });
  });

  it("refuses an empty line and a misplaced --by", () => {
    expect(() => parseGraphLine("-1h")).toThrow(/what should I graph/);
    expect(() => parseGraphLine("up --by job x")).toThrow(/--by goes at the end/);
    expect(() => parseGraphLine("up --by a-b")).toThrow(/not a label/);
  });

  it("does not split inside quotes", () => {
    expect(splitTopLevel('a{x=" + "} + b', /\s+\+\s+/y)).toEqual(['a{x=" + "}', "b"]);
  });
});

describe("time ranges", () => {
  const now = Date.UTC(2026, 10, 25, 12, 0, 0);

  it("parses units the way hubot-graphme users type them", () => {
    expect(parseRelativeTime("-1h")).toBe(HOUR);
    expect(parseRelativeTime("-30min")).toBe(30 * 60_000);
    expect(parseRelativeTime("15m")).toBe(15 * 60_000);
    expect(parseRelativeTime("-2days")).toBe(48 * HOUR);
    expect(parseRelativeTime("now")).toBe(0);
    expect(parseRelativeTime("-1parsec")).toBeUndefined();
    expect(parseRelativeTime("+1h")).toBeUndefined();
  });

  it("resolves -6h..-1h to absolute times and names it", () => {
    expect(resolveRange("-6h..-1h", now, 30 * 24 * HOUR)).toEqual({
      from: now - 6 * HOUR,
      until: now - HOUR,
      label: "-6h..-1h",
    });
    expect(resolveRange("-1h", now, 30 * 24 * HOUR).label).toBe("last 1h");
  });

  it("refuses empty, reversed and too long ranges", () => {
    expect(() => resolveRange("-1h..-2h", now, 30 * 24 * HOUR)).toThrow(/empty/);
    expect(() => resolveRange("-10y", now, 30 * 24 * HOUR)).toThrow(/longer than the limit of 30d/);
  });

  it("chooses a round step that keeps every series at or under the point cap", () => {
    for (const span of [60_000, HOUR, 6 * HOUR, 24 * HOUR, 7 * 24 * HOUR, 30 * 24 * HOUR, 365 * 24 * HOUR]) {
      const range = { from: now - span, until: now };
      const step = stepFor(range, 1000);
      expect(pointCount(range, step)).toBeLessThanOrEqual(1000);
      expect(step).toBeGreaterThanOrEqual(1000);
    }
    expect(stepFor({ from: now - HOUR, until: now }, 1000)).toBe(5000);
  });
});

describe("the raw command text", () => {
  it("keeps quotes that core's tokenizer removes", () => {
    expect(rawRest('!graph -1h up{job="api"}', "graph", "-1h up{job=api}")).toBe('-1h up{job="api"}');
  });

  it("skips an address that contains the command's name", () => {
    expect(rawRest("graph: graph x", "graph", "x")).toBe("x");
  });

  it("matches after flags that core took out", () => {
    expect(rawRest('!graph up{a="b"} --by job', "graph", "up{a=b}", ["by"])).toBe('up{a="b"} --by job');
  });

  it("falls back to the parsed words when the text does not fit", () => {
    expect(rawRest("something else", "graph", "x y")).toBe("x y");
  });
});
