/**
 * Draws a chart to PNG without a browser: ECharts renders SVG on the server, resvg turns it into PNG with the
 * system's fonts. Both libraries are imported on first use, so loading the plugin stays light.
 * @module
 */
import { chartOption } from "./options.js";
import type { ChartSpec } from "./spec.js";
import { measureText } from "./text-width.js";
import { themes } from "./theme.js";
import { wallClock } from "./time-zone.js";

type ECharts = typeof import("echarts");
type ResvgModule = typeof import("@resvg/resvg-js");

let libraries: Promise<{ echarts: ECharts; resvg: ResvgModule }> | undefined;

/** Imports ECharts and resvg once. */
function loadLibraries(): Promise<{ echarts: ECharts; resvg: ResvgModule }> {
  libraries ??= Promise.all([import("echarts"), import("@resvg/resvg-js")]).then(([echartsModule, resvgModule]) => {
    const echarts = (echartsModule as ECharts & { default?: ECharts }).default ?? echartsModule;
    // Lay text out with the widths resvg will draw it at.
    echarts.setPlatformAPI({ measureText: (text, font) => ({ width: measureText(text, font) }) });
    return { echarts, resvg: (resvgModule as ResvgModule & { default?: ResvgModule }).default ?? resvgModule };
  });
  return libraries;
}

/** A drawn chart. */
export interface RenderedChart {
  png: Uint8Array;
  svg: string;
  /** Pixel position of points, for each series: `[time, value]` → `[x, y]` (what tests check the PNG against). */
  pixels: Array<Array<[x: number, y: number] | null>>;
  renderMs: number;
}

/**
 * Renders `spec` to PNG. `probe` lists, per series, point indexes whose pixel positions to report.
 */
export async function renderChart(spec: ChartSpec, probe: number[] = []): Promise<RenderedChart> {
  const started = performance.now();
  const { echarts, resvg } = await loadLibraries();
  const chart = echarts.init(null, undefined, {
    renderer: "svg",
    ssr: true,
    width: spec.width,
    height: spec.height,
  });
  let svg: string;
  const pixels: RenderedChart["pixels"] = [];
  try {
    chart.setOption(chartOption(spec) as Parameters<typeof chart.setOption>[0]);
    const shift = wallClock(spec.timeZone, spec.from, spec.until);
    for (const [seriesIndex, series] of spec.series.entries()) {
      pixels.push(
        probe.map((i) => {
          const point = series.points.at(i);
          if (!point || point[1] === null) return null;
          const at = chart.convertToPixel({ seriesIndex }, [shift(point[0]), point[1]]) as unknown as [number, number];
          return at;
        }),
      );
    }
    svg = chart.renderToSVGString();
  } finally {
    chart.dispose();
  }
  // Rasterised on libuv's thread pool, so the bot keeps answering while the PNG is made.
  const image = await resvg.renderAsync(svg, {
    background: themes[spec.theme].background,
    fitTo: { mode: "original" },
    font: { loadSystemFonts: true, defaultFontFamily: "DejaVu Sans", sansSerifFamily: "DejaVu Sans" },
  });
  const png = new Uint8Array(image.asPng());
  return { png, svg, pixels, renderMs: performance.now() - started };
}
