/**
 * The status plugin: configuration schema, commands, and setup (the provider; the page's routes for the embedded one).
 * @module
 */
import {
  type AnyCommand,
  definePlugin,
  type PluginHandle,
  type PluginInstance,
  type PluginSetupContext,
} from "@switchboard/core";
import { statusCommands } from "./commands/status.js";
import { type StatusConfig, statusConfigSchema } from "./config.js";
import { statusRoutes } from "./embedded/page.js";
import { EmbeddedProvider } from "./embedded/provider.js";
import { PERMISSIONS } from "./permissions.js";
import type { StatusState } from "./state.js";
import { StatuspageProvider } from "./statuspage/provider.js";

/** Every command of the plugin; handlers read the state setup created. */
export function statusPluginCommands(_config: StatusConfig, handle: PluginHandle<StatusState>): AnyCommand[] {
  return statusCommands(handle);
}

function setup(context: PluginSetupContext<StatusConfig>): PluginInstance<StatusState> {
  const { config } = context;
  // A room that cannot be reached is logged; the change and its answer in the asking room stand.
  const announce: StatusState["announce"] = (target, output) =>
    context.announce(target, output).catch((err) => context.logger.warn({ err, target }, "could not post an incident"));
  if (config.provider === "statuspage")
    return { state: { config, provider: new StatuspageProvider(config.statuspage!, config), announce } };
  const provider = new EmbeddedProvider(context.store, config);
  for (const route of statusRoutes(provider, config.page.path, config.page.title)) context.route(route);
  return { state: { config, provider, announce } };
}

/** The plugin. */
export const statusPlugin = definePlugin<StatusConfig, StatusState>({
  name: "status",
  description: "The status page from chat: components and incidents, served by the bot or on Atlassian Statuspage",
  configSchema: statusConfigSchema,
  permissions: PERMISSIONS,
  commands: statusPluginCommands,
  setup,
});
