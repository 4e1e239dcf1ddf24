/**
 * `switchboard` as a library: load a configuration, wire a bot, run it. The `switchboard` command is built on these.
 * @module
 */
export {
  type AdapterConfig,
  type AdapterContext,
  adapterTypeList,
  adapterTypes,
  createAdapter,
  type IrcAdapterConfig,
  type MatrixAdapterConfig,
  networkName,
  type ShellAdapterConfig,
} from "./adapter-types.js";
export { type App, type AppOptions, createApp } from "./app.js";
export { formatAuditLine } from "./audit-format.js";
export { type BuildBotOptions, buildBot } from "./build-bot.js";
export { CliError } from "./cli-error.js";
export { defaultConfigPath, defaultConfigText } from "./config/default.js";
export { ConfigError, type ConfigIssue, type ConfigPath, formatIssue, formatPath } from "./config/errors.js";
export { interpolate } from "./config/interpolate.js";
export { BUILT_IN, type LoadConfigOptions, type LoadedConfig, loadConfig, parseConfig } from "./config/load.js";
export { configSchema, DEFAULT_LOG_FILE, DEFAULT_STORE_PATH, type SwitchboardConfig } from "./config/schema.js";
export { type RunOptions, runApp } from "./lifecycle.js";
export { createFileLogger, type FileLogger } from "./logging.js";
export { importPluginPackage, type LoadedPlugin, loadPlugins, type PluginImporter, pluginPackage } from "./plugins.js";
