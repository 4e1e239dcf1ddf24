/**
 * Loading the plugin (what `config check` does) must not load ECharts or resvg: only the renderer imports them,
 * and only lazily, on the first chart.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

const src = join(import.meta.dirname, "..", "src");
const files = (readdirSync(src, { recursive: true }) as string[]).filter((f) => f.endsWith(".ts"));
const heavy = /from\s+["'](?:echarts|@resvg\/resvg-js)["']|require\(["'](?:echarts|@resvg)/;

describe("the plugin's entry stays light", () => {
  it("has no static import of echarts or resvg in any source file", () => {
    expect(files.length).toBeGreaterThan(10);
    for (const file of files) expect([file, heavy.test(readFileSync(join(src, file), "utf8"))]).toEqual([file, false]);
  });

  it("imports them dynamically in the renderer only", () => {
    const render = readFileSync(join(src, "chart", "render.ts"), "utf8");
    expect(render).toContain('import("echarts")');
    expect(render).toContain('import("@resvg/resvg-js")');
    const others = files.filter((f) => f !== join("chart", "render.ts"));
    for (const file of others)
      expect(readFileSync(join(src, file), "utf8")).not.toMatch(/import\(["'](?:echarts|@resvg)/);
  });
});
