/**
 * The chart pipeline on its own (ECharts SSR → SVG → resvg → PNG): time zone, theme, size, units, legend layout.
 */
import { describe, expect, it } from "vitest";
import { renderChart } from "../src/chart/render.js";
import type { ChartSpec } from "../src/chart/spec.js";
import { measureText } from "../src/chart/text-width.js";
import { themes } from "../src/chart/theme.js";
import { wallClock, zoneOffset } from "../src/chart/time-zone.js";
import { decodePng } from "./helpers.js";

const HOUR = 3_600_000;
const start = Date.UTC(2026, 0, 15, 10, 0, 0);

const spec = (extra: Partial<ChartSpec> = {}): ChartSpec => ({
  title: "load.fs1",
  subtitle: "last 1h",
  series: [
    {
      name: "fs1",
      labels: {},
      points: Array.from({ length: 61 }, (_, i) => [start + i * 60_000, 1.5 * 1024 * 1024 * 1024] as [number, number]),
    },
  ],
  unit: "bytes",
  from: start,
  until: start + HOUR,
  width: 800,
  height: 400,
  theme: "dark",
  timeZone: "UTC",
  ...extra,
});

const labels = (svg: string) => [...svg.matchAll(/>([^<>]+)<\/text>/g)].map((m) => m[1]);

describe("time zones", () => {
  it("knows Berlin's offset in winter and summer", () => {
    expect(zoneOffset("Europe/Berlin", Date.UTC(2026, 0, 15, 12))).toBe(HOUR);
    expect(zoneOffset("Europe/Berlin", Date.UTC(2026, 6, 15, 12))).toBe(2 * HOUR);
    expect(zoneOffset("UTC", start)).toBe(0);
  });

  it("shifts per point across a DST change", () => {
    const change = Date.UTC(2026, 2, 29, 1, 0, 0); // 03:00 CEST = 01:00 UTC
    const shift = wallClock("Europe/Berlin", change - HOUR, change + HOUR);
    expect(shift(change - 30 * 60_000) - (change - 30 * 60_000)).toBe(HOUR);
    expect(shift(change + 30 * 60_000) - (change + 30 * 60_000)).toBe(2 * HOUR);
  });

  it("labels the time axis in the configured zone", async () => {
    const utc = labels((await renderChart(spec())).svg);
    const berlin = labels((await renderChart(spec({ timeZone: "Europe/Berlin" }))).svg);
    const tokyo = labels((await renderChart(spec({ timeZone: "Asia/Tokyo" }))).svg);
    expect(utc).toContain("10:30");
    expect(berlin).toContain("11:30");
    expect(berlin).not.toContain("10:30");
    expect(tokyo).toContain("19:30");
  });
});

describe("the picture", () => {
  it("puts units on the value axis", async () => {
    expect(labels((await renderChart(spec())).svg)).toContain("1.5GiB");
  });

  it("follows the configured size and theme", async () => {
    const light = await renderChart(spec({ width: 640, height: 320, theme: "light" }));
    const picture = decodePng(light.png);
    expect([picture.width, picture.height]).toEqual([640, 320]);
    expect(picture.rgb(2, 2)).toEqual([255, 255, 255]);
    const dark = decodePng((await renderChart(spec())).png);
    expect(dark.rgb(2, 2)).toEqual([0x1b, 0x1e, 0x23]);
  });

  it("uses text large enough to read at thumbnail size", async () => {
    const { svg } = await renderChart(spec());
    const sizes = [...svg.matchAll(/font(?:-size:|: normal normal |: bold normal )(\d+)px/g)].map((m) => Number(m[1]));
    expect(sizes.length).toBeGreaterThan(5);
    expect(Math.min(...sizes)).toBeGreaterThanOrEqual(12);
    expect(svg).toContain(`stroke="${themes.dark.palette[0]}" stroke-width="2.5"`);
  });

  it("lays the legend out without overlapping names", async () => {
    const names = Array.from({ length: 8 }, (_, i) => `fileserver-${i + 1}.example.org`);
    const series = names.map((name, i) => ({
      ...spec().series[0]!,
      name,
      points: spec().series[0]!.points.map(([t]) => [t, i] as [number, number]),
    }));
    const { svg } = await renderChart(spec({ series, unit: "none" }));
    const items = [
      ...svg.matchAll(
        /x="(\d+)" y="[\d.]+" transform="translate\(([\d.]+) ([\d.]+)\)" fill="[^"]+">(fileserver[^<]+)</g,
      ),
    ].map((m) => ({
      x: Number(m[2]) + Number(m[1]),
      y: Number(m[3]),
      width: measureText(m[4]!, "13px DejaVu Sans"),
      name: m[4],
    }));
    expect(items).toHaveLength(8);
    for (const a of items)
      for (const b of items) if (a !== b && a.y === b.y && a.x < b.x) expect(a.x + a.width).toBeLessThan(b.x);
  });
});
