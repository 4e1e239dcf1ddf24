/**
 * The metrics plugin: configuration schema, commands and setup (the image route).
 * @module
 */
import { type AnyCommand, definePlugin, type PluginHandle } from "@switchboard/core";
import { graphCommand } from "./commands/graph.js";
import { listCommand } from "./commands/list.js";
import { metricsCommand } from "./commands/metrics.js";
import { saveCommand } from "./commands/save.js";
import { type MetricsConfig, metricsConfigSchema } from "./config.js";
import { PERMISSIONS } from "./permissions.js";
import { createState, type MetricsState } from "./state.js";

/** Every command of the plugin; handlers read the state setup created. */
export function metricsCommands(config: MetricsConfig, plugin: PluginHandle<MetricsState>): AnyCommand[] {
  return [graphCommand(config, plugin), listCommand(plugin), saveCommand(plugin), metricsCommand(config, plugin)];
}

/** The plugin. */
export const metricsPlugin = definePlugin<MetricsConfig, MetricsState>({
  name: "metrics",
  description: "Charts from Prometheus and Graphite drawn into chat, with sparklines where images do not show",
  configSchema: metricsConfigSchema,
  permissions: PERMISSIONS,
  commands: metricsCommands,
  setup: (context) => {
    const state = createState(context.config);
    if (state.images) context.route(state.images.route());
    return { state };
  },
});
