/**
 * Shared test helpers: a plugin state for a configuration, PNG inspection.
 */
import { MemoryStore } from "@switchboard/core";
import { PNG } from "pngjs";
import { type MetricsConfigInput, metricsConfigSchema } from "../src/config.js";
import { createState, type MetricsState } from "../src/state.js";

/** A state and a store for a configuration (as setup would make them). */
export function stateFor(input: MetricsConfigInput): { state: MetricsState; store: MemoryStore } {
  return { state: createState(metricsConfigSchema.parse(input)), store: new MemoryStore() };
}

/** A decoded PNG with pixel access. */
export interface Picture {
  width: number;
  height: number;
  rgb(x: number, y: number): [number, number, number];
  /** Pixels whose colour differs from `background` by more than `tolerance`. */
  countDifferent(background: string, tolerance?: number): number;
  /** Whether a pixel within `radius` of (x, y) has a colour within `tolerance` of `colour`. */
  hasColourNear(x: number, y: number, colour: string, radius?: number, tolerance?: number): boolean;
}

const hex = (colour: string): [number, number, number] => [
  Number.parseInt(colour.slice(1, 3), 16),
  Number.parseInt(colour.slice(3, 5), 16),
  Number.parseInt(colour.slice(5, 7), 16),
];

const distance = (a: [number, number, number], b: [number, number, number]) =>
  Math.hypot(a[0] - b[0], a[1] - b[1], a[2] - b[2]);

/** Decodes a PNG. */
export function decodePng(png: Uint8Array): Picture {
  const image = PNG.sync.read(Buffer.from(png));
  const rgb = (x: number, y: number): [number, number, number] => {
    const i = (Math.round(y) * image.width + Math.round(x)) * 4;
    return [image.data[i]!, image.data[i + 1]!, image.data[i + 2]!];
  };
  return {
    width: image.width,
    height: image.height,
    rgb,
    countDifferent(background, tolerance = 24) {
      const bg = hex(background);
      let n = 0;
      for (let y = 0; y < image.height; y++)
        for (let x = 0; x < image.width; x++) if (distance(rgb(x, y), bg) > tolerance) n++;
      return n;
    },
    hasColourNear(x, y, colour, radius = 3, tolerance = 60) {
      const target = hex(colour);
      for (let dy = -radius; dy <= radius; dy++)
        for (let dx = -radius; dx <= radius; dx++) {
          const px = x + dx;
          const py = y + dy;
          if (px < 0 || py < 0 || px >= image.width || py >= image.height) continue;
          if (distance(rgb(px, py), target) <= tolerance) return true;
        }
      return false;
    },
  };
}
