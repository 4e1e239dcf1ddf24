/**
 * `metrics <expr|alias …> [--by label]`: current values as a table.
 * @module
 */
import { arg, defineCommand, type PluginHandle } from "@switchboard/core";
import type { MetricsConfig } from "../config.js";
import { BY_PATTERN, takeBy } from "../grammar.js";
import { runMetrics } from "../metrics-run.js";
import { PERMISSIONS } from "../permissions.js";
import { rawRest } from "../raw-text.js";
import type { MetricsState } from "../state.js";

/** The `metrics` command. */
export function metricsCommand(config: MetricsConfig, plugin: PluginHandle<MetricsState>) {
  return defineCommand({
    name: "metrics",
    summary: "Show the current values of a query as a table (ok/warn/fail from the alias's thresholds)",
    examples: ["metrics up", "metrics load fs1", "metrics sum by (job) (rate(http_requests_total[5m]))"],
    args: {
      query: arg.string({ positional: true, rest: true, required: true, description: "a target or an alias" }),
      by: arg.string({ description: "sum the series by this label", match: BY_PATTERN }),
    },
    permission: PERMISSIONS.read,
    timeoutMs: config.timeout,
    prepare: ({ args, invokedAs, message }) => {
      const { rest, by } = takeBy(rawRest(message.text, invokedAs, args.query, ["by"]));
      const query = rest.trim() || args.query;
      return { query, by: by ?? args.by };
    },
    handler: ({ args, signal, store }) => runMetrics(plugin.state, store, args.query, signal, args.by),
  });
}
