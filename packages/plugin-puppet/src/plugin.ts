/**
 * The Puppet plugin: its configuration schema, its commands, and setup (the runner, the hosts busy in this process,
 * and the ways to reach the asker privately and to audit).
 * @module
 */
import { type AnyCommand, definePlugin, type PluginHandle } from "@switchboard/core";
import { applyCommand } from "./commands/apply.js";
import { hostsCommand } from "./commands/hosts.js";
import { noopCommand } from "./commands/noop.js";
import { rolloutCommand } from "./commands/rollout.js";
import { statusCommand } from "./commands/status.js";
import { type PuppetConfig, puppetConfigSchema } from "./config.js";
import { PERMISSIONS } from "./permissions.js";
import { createState, type PuppetState } from "./state.js";

/** Every command of the plugin; handlers read the state setup created. */
export function puppetCommands(config: PuppetConfig, plugin: PluginHandle<PuppetState>): AnyCommand[] {
  return [
    noopCommand(config, plugin),
    applyCommand(config, plugin),
    rolloutCommand(config, plugin),
    statusCommand(config, plugin),
    hostsCommand(config, plugin),
  ];
}

/** The plugin. */
export const puppetPlugin = definePlugin<PuppetConfig, PuppetState>({
  name: "puppet",
  description: "Puppet noop, apply and staged rollouts from chat, with one summary for the whole fleet",
  configSchema: puppetConfigSchema,
  permissions: PERMISSIONS,
  commands: puppetCommands,
  setup: (ctx) => ({
    state: createState(ctx.config, {
      directMessage: (principal, reply) => ctx.directMessage(principal, reply),
      audit: (record) => ctx.audit(record),
    }),
  }),
});
