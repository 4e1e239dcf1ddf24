/**
 * The Puppet plugin: its configuration schema and its commands.
 * @module
 */
import { type AnyCommand, definePlugin } from "@switchboard/core";
import { applyCommand } from "./commands/apply.js";
import { hostsCommand } from "./commands/hosts.js";
import { noopCommand } from "./commands/noop.js";
import { rolloutCommand } from "./commands/rollout.js";
import { statusCommand } from "./commands/status.js";
import { type PuppetConfig, puppetConfigSchema } from "./config.js";
import { createState, type PuppetState } from "./state.js";

/** Every command of the plugin, sharing one state. */
export function puppetCommands(state: PuppetState): AnyCommand[] {
  return [noopCommand(state), applyCommand(state), rolloutCommand(state), statusCommand(state), hostsCommand(state)];
}

/** States by configuration object, so that setup (which gets the same validated config) finds the commands' state. */
const states = new WeakMap<object, PuppetState>();

function stateFor(config: PuppetConfig): PuppetState {
  let state = states.get(config);
  if (!state) {
    state = createState(config);
    states.set(config, state);
  }
  return state;
}

/** The plugin. */
export const puppetPlugin = definePlugin<PuppetConfig, PuppetState>({
  name: "puppet",
  description: "Puppet noop, apply and staged rollouts from chat, with one summary for the whole fleet",
  configSchema: puppetConfigSchema,
  commands: (config) => puppetCommands(stateFor(config)),
  setup: (ctx) => {
    const state = stateFor(ctx.config);
    state.directMessage = (principal, reply) => ctx.directMessage(principal, reply);
    state.audit = (record) => ctx.audit(record);
    return { state };
  },
});
