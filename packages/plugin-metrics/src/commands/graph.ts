/**
 * `graph [<from>[..<until>]] <target|alias> [+ <target>…] [--by label]`.
 * @module
 */
import { arg, defineCommand, type PluginHandle } from "@switchboard/core";
import type { MetricsConfig } from "../config.js";
import { BY_PATTERN, parseGraphLine, takeBy } from "../grammar.js";
import { checkLine, runGraph } from "../graph-run.js";
import { PERMISSIONS } from "../permissions.js";
import { rawRest } from "../raw-text.js";
import type { MetricsState } from "../state.js";

/** The `graph` command. */
export function graphCommand(config: MetricsConfig, plugin: PluginHandle<MetricsState>) {
  return defineCommand({
    name: "graph",
    summary: "Chart a Prometheus or Graphite query into the room (a text sparkline where images do not show)",
    examples: [
      "graph -1h load.fs1",
      "graph -6h..-1h rate(http_requests_total[5m])",
      "graph load fs1",
      "graph -1d up + prom:process_resident_memory_bytes",
      "graph -15m rate(http_requests_total[1m]) --by job",
    ],
    args: {
      query: arg.string({
        positional: true,
        rest: true,
        required: true,
        description: "[from[..until]] target or alias with parameters, more joined by ' + '",
      }),
      by: arg.string({ description: "sum the series by this label (Graphite: node number or tag)", match: BY_PATTERN }),
    },
    permission: PERMISSIONS.read,
    timeoutMs: config.timeout,
    prepare: ({ args, invokedAs, message }) => {
      const raw = rawRest(message.text, invokedAs, args.query, ["by"]);
      const { rest, by } = takeBy(raw);
      const line = parseGraphLine(rest);
      checkLine(config, line);
      return { query: rest.trim(), by: by ?? args.by };
    },
    handler: async ({ args, signal, store }) => {
      const line = parseGraphLine(args.query);
      const result = await runGraph(plugin.state, store, { ...line, ...(args.by ? { by: args.by } : {}) }, signal);
      return result.reply;
    },
  });
}
