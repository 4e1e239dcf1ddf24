/**
 * From a validated configuration to a {@link Bot}: no files, no network, so embedding programs and tests can use it.
 * @module
 */
import {
  type Adapter,
  type AnyCommand,
  type AuditLog,
  type Bot,
  createBot,
  type Logger,
  type Store,
} from "@switchboard/core";
import type { BucketLimit, RateLimitOptions, ScheduleOptions } from "@switchboard/core/app";
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
  /** Commands of the app itself (`status` with several instances). */
  commands?: AnyCommand[];
}

/** `bot.rateLimit` as core's option (durations are milliseconds already; `interval` becomes `intervalMs`). */
function rateLimitOf(section: NonNullable<SwitchboardConfig["bot"]["rateLimit"]>): RateLimitOptions | false {
  if (section.enabled === false) return false;
  const bucket = (b: { burst: number; interval: number } | undefined): BucketLimit | undefined =>
    b ? { burst: b.burst, intervalMs: b.interval } : undefined;
  const { enabled: _enabled, member, guest, guests, ...rest } = section;
  const options: RateLimitOptions = Object.fromEntries(Object.entries(rest).filter(([, v]) => v !== undefined));
  for (const [key, value] of [
    ["member", bucket(member)],
    ["guest", bucket(guest)],
    ["guests", bucket(guests)],
  ] as const)
    if (value) options[key] = value;
  return options;
}

/** `bot.schedules` as core's option (durations are milliseconds already). */
function schedulesOf(section: NonNullable<SwitchboardConfig["bot"]["schedules"]>): ScheduleOptions {
  const { maxPerPerson, minInterval, lateAfter, pollInterval, missed } = section;
  return {
    ...(maxPerPerson !== undefined ? { maxPerPerson } : {}),
    ...(minInterval !== undefined ? { minIntervalMs: minInterval } : {}),
    ...(lateAfter !== undefined ? { lateAfterMs: lateAfter } : {}),
    ...(pollInterval !== undefined ? { pollMs: pollInterval } : {}),
    ...(missed !== undefined ? { missed } : {}),
  };
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
    approvals: { announce: config.approvals.announce },
    progressIntervalMs: settings.progressInterval,
    staleAfterMs: settings.staleAfter,
    policy: { roles, principals, rules, guestRole },
    ...(settings.rateLimit !== undefined ? { rateLimit: rateLimitOf(settings.rateLimit) } : {}),
    ...(settings.timezone !== undefined ? { timezone: settings.timezone } : {}),
    ...(settings.schedules !== undefined ? { schedules: schedulesOf(settings.schedules) } : {}),
    ...(options.store ? { store: options.store } : {}),
    ...(options.auditLog ? { auditLog: options.auditLog } : {}),
    ...(options.logger ? { logger: options.logger } : {}),
    adapters: options.adapters ?? [],
    ...(options.commands ? { commands: options.commands } : {}),
  });
  for (const { plugin, config: pluginConfig } of options.plugins ?? []) bot.use(plugin, pluginConfig);
  return bot;
}
