/**
 * `@switchboard/core`: the runtime, grouped by who uses it. Stores and the CLI find the audit chain and checkpoint
 * internals in `@switchboard/core/audit`. `scripts/check-exports.mjs` fails on an export nothing outside core uses.
 * @module
 */

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
// Named by the inferred return types of plugins' command factories (declaration files must be able to name them).
export type { ArgDef } from "./args.js";
// ── Defining commands ──────────────────────────────────────────────────────────────────────────────────────────
export { arg } from "./args.js";
export type { AuditEntry, AuditLog, AuditOutcome, AuditRecord } from "./audit.js";
export { MemoryAuditLog } from "./audit.js";
export { backoffDelay } from "./backoff.js";
// ── Embedding: create a bot, feed it messages, read its audit log ──────────────────────────────────────────────
export { Bot, createBot, type HandleOptions } from "./bot.js";
export type { BotOptions } from "./bot-options.js";
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
export { durationSchema, formatDuration, parseDuration } from "./duration.js";
export { DeniedError, JobCancelledError, JobTimeoutError, UserError } from "./errors.js";
export type { BotEvents } from "./events.js";
export { createLogger, type Logger, silentLogger } from "./logger.js";
export { MemoryStore } from "./memory-store.js";
export { type IncomingMessage, type ReplyTarget, type Room, replyTargetFor, type Sender } from "./message.js";
// ── Output: the semantic model every network renders ───────────────────────────────────────────────────────────
export {
  type Block,
  type ImageBlock,
  type OutgoingMessage,
  out,
  type Reply,
  type StatusLevel,
} from "./output.js";
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
export {
  approvalConfigSchema,
  type PolicyConfigInput,
  policyConfigSchema,
  principalConfigSchema,
  roleConfigSchema,
  ruleConfigSchema,
} from "./policy-config.js";
export { baseEnvironment, describeExit, type ProcessResult, runProcess } from "./process-runner.js";
export type { BucketLimit, RateLimitOptions } from "./rate-limit.js";
export { RateLimiter } from "./rate-limit.js";
export { renderBlockLines, renderTable, renderText, renderTextLines } from "./render-text.js";
export { parseRoomRef, type RoomRef, roomRefSchema } from "./room-ref.js";
export type { HttpRequest, HttpResponse, HttpRoute } from "./routes.js";
export type { Lock, Store } from "./store.js";
export { suggest } from "./suggest.js";
export { TokenBucket } from "./token-bucket.js";
export { tokenize } from "./tokenize.js";
