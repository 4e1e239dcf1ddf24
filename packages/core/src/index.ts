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
export { type AddressingOptions, extractCommandText } from "./addressing.js";
export {
  type ArgDef,
  type ArgKind,
  type ArgsOf,
  type ArgsSchema,
  type ArgValue,
  arg,
  type StringArgOptions,
} from "./args.js";
export {
  type AuditEntry,
  type AuditEvent,
  type AuditLog,
  type AuditOutcome,
  type AuditQuery,
  type AuditRecord,
  canonicalJson,
  chainRecords,
  GENESIS_HASH,
  hashEntry,
  MemoryAuditLog,
  matchesAuditQuery,
  type VerifyResult,
  verifyChain,
} from "./audit.js";
export {
  type AnchoredVerifyResult,
  type AnchorProblem,
  describeAnchorProblem,
  type KeptHead,
  type VerifyAnchoredOptions,
  verifyAnchored,
} from "./audit-anchor.js";
export {
  type AuditCheckpoint,
  type AuditHead,
  type BadCheckpointLine,
  type CheckpointFile,
  type CheckpointSigner,
  checkpointMessage,
  checkpointPublicKey,
  checkpointSigner,
  formatCheckpointLine,
  generateCheckpointKey,
  keyIdOf,
  readCheckpoints,
  verifyCheckpoint,
} from "./audit-checkpoint.js";
export { auditSummary } from "./audit-summary.js";
export { type BackoffOptions, backoffDelay } from "./backoff.js";
export { Bot, createBot } from "./bot.js";
export type { BotOptions } from "./bot-options.js";
export {
  type AnchoredAuditLog,
  CheckpointingAuditLog,
  type CheckpointingOptions,
  isAnchoredAuditLog,
} from "./checkpointing-audit-log.js";
export {
  type AnyCommand,
  type ApprovalRule,
  type CheckContext,
  type CheckedFacts,
  type Command,
  type CommandContext,
  type CommandHandler,
  type CommandRequirement,
  type CommandSpec,
  defineCommand,
  type JobControl,
  type JobInfo,
  type JobLocks,
  type PrepareContext,
} from "./command.js";
export { durationSchema, formatDuration, parseDuration } from "./duration.js";
export { DeniedError, JobCancelledError, JobTimeoutError, newCorrelationId, UserError } from "./errors.js";
export {
  type BotEventListener,
  type BotEventMap,
  type BotEventName,
  type BotEvents,
  EventBus,
} from "./events.js";
export { type Actor, IdentityDirectory, who } from "./identity.js";
export type { Job, Responder } from "./jobs.js";
export { createLogger, type Logger, silentLogger } from "./logger.js";
export { MemoryStore } from "./memory-store.js";
export { type IncomingMessage, type ReplyTarget, type Room, replyTargetFor, type Sender } from "./message.js";
export {
  type Action,
  type ActionsBlock,
  type Block,
  type CodeBlock,
  type FactsBlock,
  type ImageBlock,
  type LinkBlock,
  type OutgoingMessage,
  out,
  type Reply,
  type StatusBlock,
  type StatusLevel,
  type TableBlock,
  type TextBlock,
  toBlocks,
} from "./output.js";
export { parseArgs, usageLine } from "./parse.js";
export { compilePattern, matchPattern, type WordPattern } from "./pattern.js";
export { type Decision, type DecisionInput, Policy, permissionMatches } from "./permissions.js";
export {
  type AnnounceOptions,
  type AnyPlugin,
  definePlugin,
  namespacedStore,
  type PeopleDirectory,
  type Plugin,
  type PluginAuditRecord,
  type PluginHandle,
  type PluginInstance,
  type PluginSetupContext,
  type Teardown,
} from "./plugin.js";
export {
  approvalConfigSchema,
  type PolicyConfig,
  type PolicyConfigInput,
  policyConfigSchema,
  principalConfigSchema,
  type RoleConfig,
  type RuleConfig,
  roleConfigSchema,
  ruleConfigSchema,
} from "./policy-config.js";
export {
  baseEnvironment,
  describeExit,
  type ProcessResult,
  type ProcessSpec,
  runProcess,
} from "./process-runner.js";
export {
  type Admission,
  type BucketLimit,
  DEFAULT_RATE_LIMITS,
  RateLimiter,
  type RateLimitOptions,
  type RateLimitPolicy,
} from "./rate-limit.js";
export { CommandRegistry, type Lookup, type RegisteredCommand } from "./registry.js";
export { renderBlockLines, renderTable, renderText, renderTextLines } from "./render-text.js";
export {
  auditRoleGrants,
  type RoleGrantAudit,
  refuseUnauditedGrants,
  type UnauditedGrant,
} from "./role-grant-audit.js";
export { parseRoomRef, type RoomRef, roomRefSchema } from "./room-ref.js";
export { type HttpRequest, type HttpResponse, type HttpRoute, RouteTable } from "./routes.js";
export { escapeTerminal, hasInvisible, revealInvisible, revealInvisibleBlocks } from "./safe-text.js";
export type { Lock, LockRequest, LockResult, Store } from "./store.js";
export { suggest } from "./suggest.js";
export { TokenBucket } from "./token-bucket.js";
export { tokenize } from "./tokenize.js";
