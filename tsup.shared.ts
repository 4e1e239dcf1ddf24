import { defineConfig } from "tsup";

/** The build every package shares: ESM + .d.ts for Node 20, from `entry` (default: the one public entry). */
export function packageBuild(entry: string[] = ["src/index.ts"]) {
  return defineConfig({ entry, format: ["esm"], dts: true, sourcemap: true, clean: true, target: "node20" });
}
