/**
 * `@switchboard/core`: the runtime, grouped by who uses it. Stores and the CLI find the audit chain and checkpoint
 * internals in `@switchboard/core/audit`; the CLI, the HTTP endpoint and the testing kit find what they wire up in
 * `@switchboard/core/app`. `scripts/check-exports.mjs` fails on an export nothing outside core uses.
 * (The sections are kept in this order on purpose: biome does not sort this file.)
 * @module
 */

// ── Embedding: create a bot, feed it messages, read its audit log ──────────────────────────────────────────────
export { Bot, createBot } from "./runtime/bot.js";
export type { BotOptions } from "./runtime/bot-options.js";
export type { AuditEntry, AuditLog, AuditOutcome, AuditRecord } from "./audit/audit.js";
export { MemoryAuditLog } from "./audit/audit.js";
export { MemoryStore } from "./store/memory-store.js";
export type { Lock, Store, StoreChanges } from "./store/store.js";
export type { ApprovalRows, RowDecision, WaitingJobRow, WaitingJobState } from "./policy/approval-rows.js";
export { JobIdTakenError } from "./policy/approval-rows.js";
export type { NamespaceEntries } from "./policy/identity.js";
export { type Logger, silentLogger } from "./runtime/logger.js";
export type { PolicyConfigInput } from "./policy/policy-config.js";
export { type RoomRef, roomRefSchema } from "./util/room-ref.js";
export { suggest } from "./commands/suggest.js";

// ── Defining commands ──────────────────────────────────────────────────────────────────────────────────────────
export { arg, MAX_TEXT_CHARS } from "./commands/args.js";
// Named by the inferred return types of plugins' command factories (declaration files must be able to name them).
export type { ArgDef } from "./commands/args.js";
// Named by inferred return types of command factories, like ArgDef.
export type { CheckedFacts, Command } from "./commands/command.js";
export {
  type AnyCommand,
  type ApprovalRule,
  type CheckContext,
  type CommandContext,
  type CommandRequirement,
  defineCommand,
  type JobLocks,
} from "./commands/command.js";
export type { Actor } from "./policy/identity.js";
export { DeniedError, JobCancelledError, JobTimeoutError, UserError } from "./runtime/errors.js";
export { durationSchema, formatDuration, parseDuration } from "./util/duration.js";
export { tokenize } from "./commands/tokenize.js";
export { puppetEnvironmentFor, refProblem } from "./commands/refs.js";
// Schedules and aliases.

export { baseEnvironment, describeExit, type ProcessResult, runProcess } from "./jobs/process-runner.js";
export { runOverSsh, SAFE_REMOTE_WORD, SSH_ADDRESS, SSH_USER, sshProblem, sshSettingsSchema } from "./jobs/ssh.js";

// ── Writing adapters ───────────────────────────────────────────────────────────────────────────────────────────
export {
  type ActionResult,
  type Adapter,
  type AdapterCapabilities,
  type AdapterFactoryContext,
  type AdapterHost,
  type AdapterStateStore,
  type AdapterStatus,
  type AdapterType,
  type AnyAdapterType,
  type ApprovalAction,
  defineAdapterType,
  type ReceiveOptions,
  type SentMessage,
  type TrustReset,
} from "./adapters/adapter.js";
export {
  type ConnectionLease,
  type IncomingMessage,
  type ReplyTarget,
  type Room,
  replyTargetFor,
  type Sender,
} from "./adapters/message.js";
export { backoffDelay } from "./util/backoff.js";
export { TokenBucket } from "./util/token-bucket.js";

// ── Writing plugins ────────────────────────────────────────────────────────────────────────────────────────────
export {
  type AnnounceOptions,
  type AnyPlugin,
  definePlugin,
  type Plugin,
  type PluginAuditRecord,
  type PluginHandle,
  type PluginInstance,
  type PluginSetupContext,
} from "./plugins/plugin.js";
export type { HttpRequest, HttpResponse, HttpRoute } from "./plugins/routes.js";
// Webhooks, for the HTTP endpoint's sources and plugins' routes alike: signatures, replays, the audit record.
export { webhookAuditRecord } from "./audit/webhook-record.js";
export { DeliveryLedger, digestKey } from "./store/delivery-ledger.js";
export { bearerMatches, hmacMatches, hmacSha256Hex } from "./util/signatures.js";

// ── Output: the semantic model every network renders ───────────────────────────────────────────────────────────
export {
  type Action,
  type Block,
  type ImageBlock,
  type OutgoingMessage,
  out,
  type Reply,
  type StatusLevel,
} from "./output/output.js";
export { renderBlockLines, renderTable, renderText, renderTextLines } from "./output/render-text.js";
// Text from others, made safe to show: invisible and bidi characters revealed, terminal controls escaped.
export { escapeTerminal, revealInvisible, revealInvisibleBlocks } from "./output/safe-text.js";
