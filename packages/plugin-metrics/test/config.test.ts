import { describe, expect, it } from "vitest";
import { metricsConfigSchema } from "../src/config.js";

const backends = { prom: { type: "prometheus", url: "http://127.0.0.1:9090" } };
const issues = (input: unknown) => {
  const result = metricsConfigSchema.safeParse(input);
  return result.success ? [] : result.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`);
};

describe("configuration", () => {
  it("fills defaults", () => {
    const config = metricsConfigSchema.parse({ backends });
    expect(config).toMatchObject({
      defaultRange: 3_600_000,
      maxRange: 30 * 86_400_000,
      maxPoints: 1000,
      maxSeries: 8,
      chart: { width: 800, height: 400, theme: "dark", timeZone: "UTC" },
      images: { path: "/metrics/chart", ttl: 86_400_000, maxImages: 200 },
      timeout: 60_000,
    });
    expect(config.backends.prom).toMatchObject({ timeout: 15_000, render: "json", maxResponseBytes: 16 * 1024 * 1024 });
  });

  it("names what is wrong", () => {
    expect(issues({ backends: {} })).toEqual(["backends: configure at least one backend"]);
    expect(issues({ backends, defaultBackend: "nope" })).toEqual(['defaultBackend: no backend "nope"']);
    expect(issues({ backends, aliases: { load: { target: "x", backend: "graphite" } } })).toEqual([
      'aliases.load.backend: no backend "graphite" (backends: prom)',
    ]);
    expect(issues({ backends, aliases: { sum: { target: "x" } } })).toEqual([
      'aliases.sum: "sum" is reserved; choose another name',
    ]);
    expect(issues({ backends, chart: { timeZone: "Mars/Olympus" } })).toEqual([
      "chart.timeZone: an IANA time zone such as UTC or Europe/Berlin",
    ]);
    expect(issues({ backends: { prom: { ...backends.prom, auth: { type: "bearer", token: "x" } } } })).not.toEqual([]);
    expect(issues({ backends, aliases: { load: { target: "x", patterns: { host: "(" } } } })).toEqual([
      "aliases.load.patterns.host: not a regular expression",
    ]);
  });
});
