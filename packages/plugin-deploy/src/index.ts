/**
 * `@switchboard/plugin-deploy`: deploy branches to environments from chat, with CI gates, locks, approvals and
 * history. The default export is the plugin (`bot.use(deploy, config)`, or `plugins: { deploy: … }` in the
 * switchboard configuration).
 * @module
 */
import { deployPlugin } from "./plugin.js";

export type { CiContext, CiVerdict } from "./ci.js";
export { ciVerdict } from "./ci.js";
export type {
  AppConfig,
  CommandProviderConfig,
  DeployConfig,
  DeployConfigInput,
  EnvironmentConfig,
  GithubProviderConfig,
  ProviderConfig,
} from "./config.js";
export { deployConfigSchema } from "./config.js";
export type { DeployOutcome, DeployRecord } from "./history.js";
export { hostsProblem, nameProblem, refProblem } from "./names.js";
export { deployCommands } from "./plugin.js";
export type { DeployRun } from "./providers/provider.js";

export default deployPlugin;
