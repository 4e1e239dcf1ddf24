/**
 * The options of {@link createBot}.
 * @module
 */
import type { Adapter } from "../adapters/adapter.js";
import type { AuditLog } from "../audit/audit.js";
import type { AnyCommand } from "../commands/command.js";
import type { PolicyConfigInput } from "../policy/policy-config.js";
import type { RateLimitOptions } from "../policy/rate-limit.js";
import type { Clock } from "../schedules/clock.js";
import type { ScheduleOptions } from "../schedules/schedule-record.js";
import type { Store } from "../store/store.js";
import type { RoomRef } from "../util/room-ref.js";
import type { Logger } from "./logger.js";

/** Options for {@link createBot}. */
export interface BotOptions {
  /** The bot's name, for addressing (`switchboard: help`). Default `switchboard`. */
  name?: string;
  /** Other names it answers to. */
  aliases?: string[];
  /** Command prefix. Default `!`. */
  prefix?: string;
  adapters?: Adapter[];
  /** Extra commands outside any plugin. */
  commands?: AnyCommand[];
  /** Roles, principals and rules. Default: nobody has any permission. */
  policy?: PolicyConfigInput;
  /** Default: `MemoryStore`. */
  store?: Store;
  /** Default: `MemoryAuditLog`. */
  auditLog?: AuditLog;
  /** Default: pino to stderr. */
  logger?: Logger;
  /** Time limit of a job without its own, in ms. Default 5 minutes. */
  defaultTimeoutMs?: number;
  /** How long approval requests stay open by default, in ms. Default 15 minutes. */
  approvalTtlMs?: number;
  /** Where approval requests go besides the asker's room. */
  approvals?: {
    /**
     * Rooms (`irc:#ops`, `matrix:!id:server`, `slack:C123`) that get every approval request, with the network's
     * own Approve/Deny, kept in step with the asker's request until the job starts or is closed.
     */
    announce?: Array<RoomRef | string>;
  };
  /** Minimum time between two progress messages of a job, in ms. Default 1000. */
  progressIntervalMs?: number;
  /** Commands older than this when they arrive (a bouncer's backlog, a reconnect) are not run. Default 2 minutes. */
  staleAfterMs?: number;
  /** After a cancel or timeout, how long a job's outcome waits for its handler to clean up, in ms. Default 5 s. */
  cleanupGraceMs?: number;
  /**
   * Commands per person (token buckets, stricter for guests) and commands handled at once; `false` turns the
   * limits off. Default {@link DEFAULT_RATE_LIMITS}; holders of `ratelimit:exempt` (owners with `*`) are not limited.
   */
  rateLimit?: RateLimitOptions | false;
  /** The time zone of schedules made by people without a configured `timezone`. Default: the process's (`TZ`). */
  timezone?: string;
  /** Limits and defaults of `schedule add`. */
  schedules?: ScheduleOptions;
  /** The clock schedules run by. Default: the system clock (tests pass a manual one). */
  clock?: Clock;
}
