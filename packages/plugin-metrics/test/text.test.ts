import { describe, expect, it } from "vitest";
import { capSeries, legendNames, type Series } from "../src/series.js";
import { sparkline } from "../src/sparkline.js";
import { altText, fallbackText } from "../src/summary.js";
import { levelOf } from "../src/thresholds.js";
import { formatValue, guessUnit } from "../src/units.js";

const series = (name: string, values: Array<number | null>): Series => ({
  name,
  labels: {},
  points: values.map((v, i) => [i * 1000, v]),
});

describe("sparklines", () => {
  it("draws low values low and high values high", () => {
    expect(sparkline([1, 1, 1, 5, 5, 5])).toBe("▁▁▁███");
    expect(sparkline([0, 1, 2, 3, 4, 5, 6, 7])).toBe("▁▂▃▄▅▆▇█");
  });

  it("averages into at most `width` bars, keeps gaps, draws flat series at mid height", () => {
    expect(
      sparkline(
        Array.from({ length: 100 }, (_, i) => (i < 50 ? 0 : 10)),
        10,
      ),
    ).toBe("▁▁▁▁▁█████");
    expect(sparkline([1, null, 3])).toBe("▁ █");
    expect(sparkline([2, 2, 2])).toBe("▄▄▄");
  });
});

describe("units", () => {
  it("guesses from Prometheus naming conventions", () => {
    expect(guessUnit("process_resident_memory_bytes")).toBe("bytes");
    expect(guessUnit("rate(node_network_receive_bytes_total[5m])")).toBe("bytes/s");
    expect(guessUnit("http_request_duration_seconds_sum")).toBe("seconds");
    expect(guessUnit("rate(http_requests_total[5m])")).toBe("ops/s");
    expect(guessUnit("node_load1")).toBe("none");
  });

  it("formats values for people", () => {
    expect(formatValue(1536, "bytes")).toBe("1.5KiB");
    expect(formatValue(0.25, "seconds")).toBe("250ms");
    // Durations are core's formatDuration, the one every package shows: latencies keep their fractions.
    expect(formatValue(0.00125, "seconds")).toBe("1.25ms");
    expect(formatValue(0.00025, "seconds")).toBe("250µs");
    expect(formatValue(90, "seconds")).toBe("1m30s");
    expect(formatValue(5400, "seconds")).toBe("1h30m");
    expect(formatValue(-2, "seconds")).toBe("-2s");
    expect(formatValue(0.42, "ratio")).toBe("42%");
    expect(formatValue(12_345, "ops/s")).toBe("12.3k/s");
    expect(formatValue(3, "none")).toBe("3");
    expect(formatValue(null, "none")).toBe("–");
  });
});

describe("series cap and summaries", () => {
  it("keeps the top N by last value and names the rest", () => {
    const all = [series("a", [1, 1]), series("b", [9, 9]), series("c", [5, 5]), series("d", [7, 3])];
    const capped = capSeries(all, 2);
    expect(capped.shown.map((s) => s.name)).toEqual(["b", "c"]);
    expect(capped.hidden.map((s) => s.name)).toEqual(["d", "a"]);
    const alt = altText("x · last 1h", capped, "none");
    expect(alt).toContain("b: min 9, avg 9, max 9, last 9.");
    expect(alt).toContain("2 more series not drawn (last values: d 3, a 1)");
    const text = fallbackText("x · last 1h", capped, "none");
    expect(text.split("\n")).toEqual([
      "x · last 1h",
      "b ▄▄ min 9 max 9 last 9",
      "c ▄▄ min 5 max 5 last 5",
      "+ 2 more series not drawn (last values: d 3, a 1)",
    ]);
  });

  it("names Prometheus series by the labels that differ", () => {
    expect(
      legendNames(
        [
          { __name__: "up", job: "node", instance: "fs1" },
          { __name__: "up", job: "node", instance: "fs2" },
        ],
        "up",
      ),
    ).toEqual(["fs1", "fs2"]);
    expect(legendNames([{ __name__: "up", job: "node" }], "up")).toEqual(['up{job="node"}']);
  });
});

describe("thresholds", () => {
  it("marks high values (or low ones, with below)", () => {
    expect(levelOf(1, { warn: 2, fail: 4, below: false })).toBe("ok");
    expect(levelOf(3, { warn: 2, fail: 4, below: false })).toBe("warn");
    expect(levelOf(4, { warn: 2, fail: 4, below: false })).toBe("fail");
    expect(levelOf(5, { warn: 10, fail: 5, below: true })).toBe("fail");
    expect(levelOf(5, undefined)).toBeUndefined();
  });
});
