/**
 * `@switchboard/core`: the runtime, grouped by who uses it. Stores and the CLI find the audit chain and checkpoint
 * internals in `@switchboard/core/audit`. `scripts/check-exports.mjs` fails on an export nothing outside core uses.
 * (The sections are kept in this order on purpose: biome does not sort this file.)
 * @module
 */

// ── Embedding: create a bot, feed it messages, read its audit log ──────────────────────────────────────────────
export { Bot, createBot } from "./bot.js";
export type { BotOptions } from "./bot-options.js";
export type { AuditEntry, AuditLog, AuditOutcome, AuditRecord } from "./audit.js";
export { MemoryAuditLog } from "./audit.js";
export { MemoryStore } from "./memory-store.js";
export type { Lock, Store } from "./store.js";
export { type Logger, silentLogger } from "./logger.js";
export type { BotEvents } from "./events.js";
export {
  approvalConfigSchema,
  type PolicyConfigInput,
  policyConfigSchema,
  principalConfigSchema,
  roleConfigSchema,
  ruleConfigSchema,
} from "./policy-config.js";
export type { BucketLimit, RateLimitOptions } from "./rate-limit.js";
export { RateLimiter } from "./rate-limit.js";
export { parseRoomRef, type RoomRef, roomRefSchema } from "./room-ref.js";
export { suggest } from "./suggest.js";

// ── Defining commands ──────────────────────────────────────────────────────────────────────────────────────────
export { arg } from "./args.js";
// Named by the inferred return types of plugins' command factories (declaration files must be able to name them).
export type { ArgDef } from "./args.js";
// Named by inferred return types of command factories, like ArgDef.
export type { Command } from "./command.js";
export {
  type AnyCommand,
  type ApprovalRule,
  type CheckContext,
  type CommandContext,
  type CommandRequirement,
  defineCommand,
  type JobLocks,
} from "./command.js";
export type { Actor } from "./identity.js";
export { DeniedError, JobCancelledError, JobTimeoutError, UserError } from "./errors.js";
export { durationSchema, formatDuration, parseDuration } from "./duration.js";
export { joinWords, tokenize } from "./tokenize.js";
// Schedules and aliases.
export { AliasBook, type AliasDefinition, type Expansion, MAX_ALIAS_DEPTH } from "./aliases.js";
export { type Clock, systemClock } from "./clock.js";
export { type MissedPolicy, type ScheduleOptions, type ScheduleRecord, scheduleDefaults } from "./schedule-record.js";
export { formatInZone, isTimeZone, nextDue, type ParsedWhen, parseWhen, type ScheduleSpec } from "./schedule-when.js";
export { Scheduler, type SchedulerDeps } from "./scheduler.js";
export { baseEnvironment, describeExit, type ProcessResult, runProcess } from "./process-runner.js";
export { runOverSsh, SAFE_REMOTE_WORD, SSH_ADDRESS, SSH_USER, sshProblem, sshSettingsSchema } from "./ssh.js";

// ── Writing adapters ───────────────────────────────────────────────────────────────────────────────────────────
export {
  type ActionResult,
  type Adapter,
  type AdapterCapabilities,
  type AdapterFactoryContext,
  type AdapterHost,
  type AdapterStatus,
  type AdapterType,
  type AnyAdapterType,
  type ApprovalAction,
  defineAdapterType,
  type ReceiveOptions,
  type SentMessage,
} from "./adapter.js";
export { type IncomingMessage, type ReplyTarget, type Room, replyTargetFor, type Sender } from "./message.js";
export { backoffDelay } from "./backoff.js";
export { TokenBucket } from "./token-bucket.js";

// ── Writing plugins ────────────────────────────────────────────────────────────────────────────────────────────
export {
  type AnnounceOptions,
  type AnyPlugin,
  definePlugin,
  namespacedStore,
  type Plugin,
  type PluginAuditRecord,
  type PluginHandle,
  type PluginInstance,
  type PluginSetupContext,
} from "./plugin.js";
export type { HttpRequest, HttpResponse, HttpRoute } from "./routes.js";
export type { RuntimeCommands } from "./runtime-commands.js";

// ── Output: the semantic model every network renders ───────────────────────────────────────────────────────────
export {
  type Action,
  type Block,
  type ImageBlock,
  type OutgoingMessage,
  out,
  type Reply,
  type StatusLevel,
} from "./output.js";
export { renderBlockLines, renderTable, renderText, renderTextLines } from "./render-text.js";
