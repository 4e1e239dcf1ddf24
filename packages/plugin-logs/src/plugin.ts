/**
 * The logs plugin: its configuration schema, its command, and setup (the inventory, the redactor, private messages).
 * @module
 */
import { type AnyCommand, definePlugin, type PluginHandle } from "@switchboard/core";
import { logsCommand } from "./commands/logs.js";
import { type LogsConfig, logsConfigSchema } from "./config.js";
import { PERMISSIONS } from "./permissions.js";
import { createState, type LogsState } from "./state.js";

/** Every command of the plugin; handlers read the state setup created. */
export function logsCommands(config: LogsConfig, handle: PluginHandle<LogsState>): AnyCommand[] {
  return [logsCommand(config, handle)];
}

/** The plugin. */
export const logsPlugin = definePlugin<LogsConfig, LogsState>({
  name: "logs",
  description: "A service's configured log files or journal units from chat: filtered, capped, redacted",
  configSchema: logsConfigSchema,
  permissions: PERMISSIONS,
  commands: logsCommands,
  setup: (ctx) => ({
    state: createState(ctx.config, {
      announce: (target, reply, options) => ctx.announce(target, reply, options),
      directMessage: (principal, reply) => ctx.directMessage(principal, reply),
      capabilities: (network) => ctx.capabilities(network),
    }),
  }),
});
