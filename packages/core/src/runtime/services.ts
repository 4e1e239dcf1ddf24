/**
 * What built-in commands may use: a small view of the bot, so they cannot skip its checks.
 * @module
 */

import type { TrustReset } from "../adapters/adapter.js";
import type { IncomingMessage, Room } from "../adapters/message.js";
import type { AuditLog } from "../audit/audit.js";
import type { AliasBook } from "../commands/aliases.js";
import type { JobInfo } from "../commands/command.js";
import type { CommandRegistry } from "../commands/registry.js";
import type { Evaluation } from "../intake/evaluate.js";
import type { JobTable } from "../jobs/jobs.js";
import type { WebLinks } from "../plugins/web-links.js";
import type { Actor, IdentityDirectory } from "../policy/identity.js";
import type { Policy } from "../policy/permissions.js";
import type { Scheduler } from "../schedules/scheduler.js";
import type { Store } from "../store/store.js";

/** The bot as built-in commands see it. */
export interface BotServices {
  readonly prefix: string;
  readonly registry: CommandRegistry;
  readonly policy: Policy;
  readonly identity: IdentityDirectory;
  readonly auditLog: AuditLog;
  readonly store: Store;
  /** Live jobs (read them; change them only through the calls below). */
  readonly jobs: Pick<JobTable, "list" | "get">;
  /** Evaluates a command line exactly as dispatch would for `actor` in `message`'s room. */
  evaluate(message: IncomingMessage, line: string, actor: Actor): Evaluation;
  /** Approves a waiting job as `actor` (never the requester; needs the rule's permission). */
  approve(jobId: string, actor: Actor): Promise<string>;
  /** Refuses a waiting job as `actor` (the rule's permission, or the requester withdrawing). */
  deny(jobId: string, actor: Actor): Promise<string>;
  /** Cancels a job as `actor`: their own, or anyone's with `jobs:cancel`. */
  cancelJob(id: string, actor: Actor): Promise<JobInfo>;
  /** Leaves a room on a network; false when its adapter cannot leave rooms. */
  leave(network: string, room: Room): Promise<boolean>;
  /** Accepts a person's current identity on a network (`trust reset`); undefined when its adapter has no such thing. */
  resetTrust(network: string, userId: string): Promise<TrustReset | undefined>;
  /** The team's aliases. */
  readonly aliases: AliasBook;
  /** Schedules. */
  readonly schedules: Scheduler;
  /** Signed links to the web view (a user error until the HTTP endpoint provides them). */
  readonly webLinks: Pick<WebLinks, "make">;
  /** The time zone of a person: their configured `timezone`, else the bot's. */
  timezoneOf(actor: Actor): string;
}
