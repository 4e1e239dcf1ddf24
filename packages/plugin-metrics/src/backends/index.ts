/**
 * The configured backends by name.
 * @module
 */
import type { MetricsConfig } from "../config.js";
import type { MetricsBackend } from "./backend.js";
import { GraphiteBackend } from "./graphite.js";
import { PrometheusBackend } from "./prometheus.js";

/** Creates a client per configured backend (no connection is opened until a query). */
export function createBackends(config: MetricsConfig): Map<string, MetricsBackend> {
  const backends = new Map<string, MetricsBackend>();
  for (const [name, backend] of Object.entries(config.backends)) {
    backends.set(
      name,
      backend.type === "prometheus" ? new PrometheusBackend(name, backend) : new GraphiteBackend(name, backend),
    );
  }
  return backends;
}
