/**
 * The configured bot built in memory only (no database, no adapters, nothing started), for commands that inspect
 * the configuration: `config check` and `commands`.
 * @module
 */
import { type Bot, MemoryAuditLog, MemoryStore, silentLogger } from "@switchboard/core";
import { buildBot } from "./build-bot.js";
import { loadConfigFromItsFolder } from "./config/config-folder.js";
import type { LoadedConfig } from "./config/load.js";
import { type LoadedPlugin, loadPlugins } from "./plugins.js";

/** Loads the configuration at `path` (or the default) and its plugins, and builds the bot in memory. */
export async function buildOfflineBot(
  path: string | undefined,
): Promise<{ loaded: LoadedConfig; plugins: LoadedPlugin[]; bot: Bot }> {
  const loaded = loadConfigFromItsFolder(path);
  const plugins = await loadPlugins(loaded);
  const bot = buildBot(loaded.config, {
    store: new MemoryStore(),
    auditLog: new MemoryAuditLog(),
    logger: silentLogger(),
    plugins,
  });
  return { loaded, plugins, bot };
}
