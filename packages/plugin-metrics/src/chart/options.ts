/**
 * The ECharts option for a {@link ChartSpec}: a time axis in the configured zone, units on the value axis, a
 * legend, a title naming the query and range, thick lines and large text.
 * @module
 */
import { formatValue, unitLabel } from "../units.js";
import type { ChartSpec } from "./spec.js";
import { themes } from "./theme.js";
import { wallClock } from "./time-zone.js";

const FONT = "DejaVu Sans";
const LEGEND_NAME_MAX = 40;

const shortName = (name: string) => {
  const chars = [...name];
  return chars.length > LEGEND_NAME_MAX ? `${chars.slice(0, LEGEND_NAME_MAX - 1).join("")}…` : name;
};

/** Rows the legend needs at the bottom, estimated from the names' widths (≈ 8 px per character + icon). */
export function legendRows(names: string[], width: number): number {
  let rows = 1;
  let used = 0;
  for (const name of names) {
    const item = 8 * [...shortName(name)].length + 44;
    if (used > 0 && used + item > width - 32) {
      rows++;
      used = 0;
    }
    used += item;
  }
  return rows;
}

/**
 * For byte units, a tick interval that is a power of two (256MiB, 512MiB, 1GiB), so ticks read as round numbers;
 * undefined otherwise (ECharts' decimal steps suit the other units).
 */
export function binaryInterval(spec: ChartSpec): number | undefined {
  if (spec.unit !== "bytes" && spec.unit !== "bytes/s") return undefined;
  let max = 0;
  for (const s of spec.series) for (const [, v] of s.points) if (v !== null && Math.abs(v) > max) max = Math.abs(v);
  if (max < 2) return undefined;
  return 2 ** Math.ceil(Math.log2(max / 5));
}

/** Builds the ECharts option (plain data; no ECharts import needed). */
export function chartOption(spec: ChartSpec): Record<string, unknown> {
  const theme = themes[spec.theme];
  const shift = wallClock(spec.timeZone, spec.from, spec.until);
  const names = spec.series.map((s) => s.name);
  const rows = legendRows(names, spec.width);
  const interval = binaryInterval(spec);
  const axisText = { color: theme.muted, fontFamily: FONT, fontSize: 13 };
  return {
    animation: false,
    useUTC: true,
    backgroundColor: theme.background,
    color: theme.palette,
    textStyle: { fontFamily: FONT, color: theme.text },
    title: {
      text: spec.title,
      subtext: spec.subtitle ?? "",
      left: "center",
      top: 8,
      textStyle: {
        fontFamily: FONT,
        fontSize: 17,
        fontWeight: "bold",
        color: theme.text,
        width: spec.width - 40,
        overflow: "truncate",
      },
      subtextStyle: {
        fontFamily: FONT,
        fontSize: 12,
        color: theme.muted,
        width: spec.width - 40,
        overflow: "truncate",
      },
      itemGap: 6,
    },
    legend: {
      show: spec.series.length > 0,
      bottom: 6,
      left: "center",
      icon: "roundRect",
      itemWidth: 18,
      itemHeight: 6,
      textStyle: { fontFamily: FONT, fontSize: 13, color: theme.text },
      formatter: shortName,
      data: names,
    },
    grid: {
      left: 16,
      right: 28,
      top: spec.subtitle ? 70 : 48,
      bottom: 34 + rows * 22,
      containLabel: true,
    },
    xAxis: {
      type: "time",
      min: shift(spec.from),
      max: shift(spec.until),
      splitNumber: Math.max(3, Math.floor(spec.width / 140)),
      axisLabel: { ...axisText, hideOverlap: true },
      axisLine: { lineStyle: { color: theme.muted } },
      splitLine: { show: false },
    },
    yAxis: {
      type: "value",
      name: unitLabel(spec.unit),
      nameTextStyle: { ...axisText, align: "left" },
      axisLabel: { ...axisText, formatter: (value: number) => formatValue(value, spec.unit) },
      splitLine: { lineStyle: { color: theme.grid } },
      splitNumber: 4,
      ...(interval !== undefined ? { interval } : {}),
    },
    series: spec.series.map((s) => ({
      name: s.name,
      type: "line",
      showSymbol: s.points.filter(([, v]) => v !== null).length === 1,
      symbolSize: 6,
      connectNulls: false,
      lineStyle: { width: 2.5 },
      emphasis: { disabled: true },
      data: s.points.map(([t, v]) => [shift(t), v]),
    })),
  };
}
