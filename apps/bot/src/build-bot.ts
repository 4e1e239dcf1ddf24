/**
 * From a validated configuration to a {@link Bot}: no files, no network, so embedding programs and tests can use it.
 * @module
 */
import { type Adapter, type AuditLog, type Bot, createBot, type Logger, type Store } from "@switchboard/core";
import type { SwitchboardConfig } from "./config/schema.js";
import type { LoadedPlugin } from "./plugins.js";

/** What {@link buildBot} wires in besides the configuration. */
export interface BuildBotOptions {
  /** Default: core's in-memory store. */
  store?: Store;
  /** Default: core's in-memory audit log. */
  auditLog?: AuditLog;
  /** Default: core's logger (stderr). */
  logger?: Logger;
  adapters?: Adapter[];
  /** Plugins from {@link loadPlugins}, enabled in order. */
  plugins?: LoadedPlugin[];
}

/** Creates the bot the configuration describes (settings, policy, plugins) with the given stores and adapters. */
export function buildBot(config: SwitchboardConfig, options: BuildBotOptions = {}): Bot {
  const { bot: settings, roles, principals, rules, guestRole } = config;
  const bot = createBot({
    name: settings.name,
    prefix: settings.prefix,
    aliases: settings.aliases,
    defaultTimeoutMs: settings.defaultTimeout,
    approvalTtlMs: settings.approvalTtl,
    progressIntervalMs: settings.progressInterval,
    policy: { roles, principals, rules, guestRole },
    ...(options.store ? { store: options.store } : {}),
    ...(options.auditLog ? { auditLog: options.auditLog } : {}),
    ...(options.logger ? { logger: options.logger } : {}),
    adapters: options.adapters ?? [],
  });
  for (const { plugin, config: pluginConfig } of options.plugins ?? []) bot.use(plugin, pluginConfig);
  return bot;
}
