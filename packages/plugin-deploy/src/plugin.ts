/**
 * The deploy plugin: its configuration schema, its commands, and setup (the GitHub client, the deploys running in
 * this process).
 * @module
 */
import { type AnyCommand, definePlugin, type PluginHandle } from "@switchboard/core";
import { longestDeploy } from "./apps.js";
import { cancelCommand } from "./commands/cancel.js";
import { ciStatusCommand } from "./commands/ci-status.js";
import { deployCommand } from "./commands/deploy.js";
import { deploysCommand } from "./commands/deploys.js";
import { environmentsCommand } from "./commands/environments.js";
import { lockCommands } from "./commands/locks.js";
import { rollbackCommand } from "./commands/rollback.js";
import { type DeployConfig, deployConfigSchema, unpinnedContexts } from "./config.js";
import { PERMISSIONS } from "./permissions.js";
import { createState, type DeployState } from "./state.js";

/** Every command of the plugin; handlers read the state setup created. */
export function deployCommands(config: DeployConfig, plugin: PluginHandle<DeployState>): AnyCommand[] {
  // The job's time limit is a backstop: each provider stops itself at its own timeout first.
  const timeoutMs = Math.max(5 * 60_000, longestDeploy(config) + 60_000);
  return [
    deployCommand(config, plugin, timeoutMs),
    rollbackCommand(config, plugin, timeoutMs),
    deploysCommand(config),
    environmentsCommand(config),
    ciStatusCommand(config, plugin),
    ...lockCommands(config),
    cancelCommand(),
  ];
}

/** The plugin. */
export const deployPlugin = definePlugin<DeployConfig, DeployState>({
  name: "deploy",
  description: "Deploy branches to environments, with CI gates, locks, approvals and history",
  configSchema: deployConfigSchema,
  configWarnings: unpinnedContexts,
  permissions: PERMISSIONS,
  commands: deployCommands,
  setup: ({ config, audit }) => ({ state: createState(config, (record) => audit(record)) }),
});
