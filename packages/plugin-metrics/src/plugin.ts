/**
 * The metrics plugin: configuration schema, commands and setup (the image route).
 * @module
 */
import { type AnyCommand, definePlugin, type PluginHandle } from "@switchboard/core";
import { graphCommand } from "./commands/graph.js";
import { listCommand } from "./commands/list.js";
import { metricsCommand } from "./commands/metrics.js";
import { saveCommand } from "./commands/save.js";
import { stateAccess } from "./commands/state-access.js";
import { type MetricsConfig, metricsConfigSchema } from "./config.js";
import { createState, type MetricsState } from "./state.js";

/** Every command of the plugin for a validated configuration. */
export function metricsCommands(config: MetricsConfig, plugin?: PluginHandle<MetricsState>): AnyCommand[] {
  const state = stateAccess(config, plugin);
  return [graphCommand(config, state), listCommand(state), saveCommand(state), metricsCommand(config, state)];
}

/** The plugin. */
export const metricsPlugin = definePlugin<MetricsConfig, MetricsState>({
  name: "metrics",
  description: "Charts from Prometheus and Graphite drawn into chat, with sparklines where images do not show",
  configSchema: metricsConfigSchema,
  commands: metricsCommands,
  setup: (context) => {
    const state = createState(context.config);
    if (state.images) context.route(state.images.route());
    return { state };
  },
});
