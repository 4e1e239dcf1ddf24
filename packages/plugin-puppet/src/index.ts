/**
 * `@switchboard/plugin-puppet`: Puppet noop, apply on one host and staged rollouts to a fleet from chat, with one
 * summary for the whole fleet. The default export is the plugin (`bot.use(puppet, config)`, or
 * `plugins: { puppet: … }` in the switchboard configuration).
 * @module
 */
import { puppetPlugin } from "./plugin.js";

export type {
  HostConfig,
  Inventory,
  LocalRunnerConfig,
  PuppetConfig,
  PuppetConfigInput,
  SshRunnerConfig,
} from "./config.js";
export { puppetConfigSchema } from "./config.js";
export { formatHosts } from "./host-list.js";
export { environmentFor, refProblem } from "./names.js";
export { parseJsonLog, parseReport, parseSummary } from "./parse-report.js";
export type { Change, Failure, HostRun, LastRun } from "./run-result.js";

export default puppetPlugin;
