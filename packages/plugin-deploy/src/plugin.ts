/**
 * The deploy plugin: its configuration schema and its commands.
 * @module
 */
import { type AnyCommand, definePlugin, type PluginHandle, type PluginSetupContext } from "@switchboard/core";
import { longestDeploy } from "./apps.js";
import { cancelCommand } from "./commands/cancel.js";
import { ciStatusCommand } from "./commands/ci-status.js";
import { deployCommand } from "./commands/deploy.js";
import { deploysCommand } from "./commands/deploys.js";
import { environmentsCommand } from "./commands/environments.js";
import { lockCommands } from "./commands/locks.js";
import { rollbackCommand } from "./commands/rollback.js";
import { type DeployConfig, deployConfigSchema, unpinnedContexts } from "./config.js";
import { createState } from "./state.js";

/** What setup hands the commands: the audit writer (deployments a job created are recorded with the job). */
export interface DeploySetup {
  audit: PluginSetupContext<DeployConfig>["audit"];
}

/** Every command of the plugin for a validated configuration. */
export function deployCommands(config: DeployConfig, plugin?: PluginHandle<DeploySetup>): AnyCommand[] {
  const state = createState(config, (record) => {
    if (!plugin) throw new Error("the deploy plugin was not set up");
    return plugin.state.audit(record);
  });
  // The job's time limit is a backstop: each provider stops itself at its own timeout first.
  const timeoutMs = Math.max(5 * 60_000, longestDeploy(config) + 60_000);
  return [
    deployCommand(state, timeoutMs),
    rollbackCommand(state, timeoutMs),
    deploysCommand(state),
    environmentsCommand(state),
    ciStatusCommand(state),
    ...lockCommands(state),
    cancelCommand(),
  ];
}

/** The plugin. */
export const deployPlugin = definePlugin<DeployConfig, DeploySetup>({
  name: "deploy",
  description: "Deploy branches to environments, with CI gates, locks, approvals and history",
  configSchema: deployConfigSchema,
  configWarnings: unpinnedContexts,
  commands: deployCommands,
  setup: (context) => ({ state: { audit: context.audit } }),
});
