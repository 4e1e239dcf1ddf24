/**
 * Jobs: every invocation gets a short id, an AbortController and a place in the job list.
 * @module
 */
import { randomBytes } from "node:crypto";
import type { SentMessage } from "../adapters/adapter.js";
import type { IncomingMessage } from "../adapters/message.js";
import type { AuditRecord } from "../audit/audit.js";
import type { AnyCommand, CheckedFacts, JobInfo } from "../commands/command.js";
import type { OutgoingMessage } from "../output/output.js";
import type { Actor } from "../policy/identity.js";
import type { ApprovalRequirement } from "../policy/permissions.js";

/** Where a job's output goes. May return nothing (an embedder's synchronous callback) or a promise. */
// biome-ignore lint/suspicious/noConfusingVoidType: synchronous responders return nothing
export type Responder = (message: OutgoingMessage) => void | Promise<SentMessage | undefined | void>;

/** A pending approval attached to a job. */
export interface PendingApproval {
  rule: string;
  count: number;
  permission: string;
  expiresAt: Date;
  /** Principal id → name, in the order they approved. */
  approvers: Map<string, string>;
  timer: NodeJS.Timeout;
  /** Digest of the prepared invocation people approve; the job runs only if it still matches. */
  digest: string;
  /** Each approval that applies, met on its own. */
  requirements: ApprovalRequirement[];
  /** The roles each approver held (counted for approval) when they approved. */
  approverRoles: Map<string, string[]>;
  /** Approvers must act from a verified device. */
  requireVerifiedDevice?: boolean;
}

/** A job the runtime knows about: waiting for approval, or running. */
export interface Job {
  id: string;
  command: AnyCommand;
  /** Arguments as parsed (never shown; see `auditArgs`). */
  args: Record<string, unknown>;
  /** Arguments with secrets redacted, for lists and the audit log. */
  auditArgs: Record<string, unknown>;
  actor: Actor;
  message: IncomingMessage;
  /**
   * The alias the command line named, and the words typed and expanded to (written to `admitted` and `denied`; the
   * words are left out when the command has secret arguments).
   */
  alias?: { name: string; typed?: string[]; expansion?: string[] };
  respond: Responder;
  state: "awaiting-approval" | "running";
  createdAt: Date;
  startedAt?: Date;
  controller: AbortController;
  approval?: PendingApproval;
  /** What the command's check established, for the handler. */
  checked?: CheckedFacts;
  /**
   * For a read-only command started at once: its `admitted` record, not written yet. The runner appends it together
   * with the outcome (one commit), or on its own before the first message the job sends; nothing reaches chat before
   * it is durable.
   */
  pendingAdmitted?: AuditRecord;
  /** The write of `pendingAdmitted`, once the runner had to start it before the outcome. Replies wait for it. */
  admitted?: Promise<unknown>;
}

/**
 * A job's AbortController that remembers whether {@link abort} was called, so the runner can ask without reading
 * `signal` (Node creates the AbortSignal on first read, and most jobs never need one).
 */
export class JobController extends AbortController {
  #abortRequested = false;

  override abort(reason?: unknown): void {
    this.#abortRequested = true;
    super.abort(reason);
  }

  /** Whether {@link abort} was called. */
  get abortRequested(): boolean {
    return this.#abortRequested;
  }
}

/** Whether a job's controller was aborted; without creating its signal when it is a {@link JobController}. */
export function abortRequested(controller: AbortController): boolean {
  return controller instanceof JobController ? controller.abortRequested : controller.signal.aborted;
}

/** How other commands see a job. */
export function jobInfo(job: Job): JobInfo {
  return {
    id: job.id,
    command: job.command.name,
    ...(job.command.plugin ? { plugin: job.command.plugin } : {}),
    actor: job.actor.id,
    state: job.state,
    args: job.auditArgs,
  };
}

const alphabet = "abcdefghjkmnpqrstuvwxyz23456789";
const ALPHABET_CODES = Array.from(alphabet, (c) => c.charCodeAt(0));

/** Live jobs by id. */
export class JobTable {
  readonly #jobs = new Map<string, Job>();
  readonly #idle = new Set<() => void>();
  #pool = Buffer.alloc(0);
  #poolOffset = 0;

  /** A new id no live job has: 5 characters that are easy to read and type. */
  newId(): string {
    for (;;) {
      if (this.#poolOffset + 5 > this.#pool.length) {
        this.#pool = randomBytes(4096);
        this.#poolOffset = 0;
      }
      const pool = this.#pool;
      const at = this.#poolOffset;
      this.#poolOffset = at + 5;
      // One string, made at once from five character codes.
      const id = String.fromCharCode(
        ALPHABET_CODES[pool[at]! % ALPHABET_CODES.length]!,
        ALPHABET_CODES[pool[at + 1]! % ALPHABET_CODES.length]!,
        ALPHABET_CODES[pool[at + 2]! % ALPHABET_CODES.length]!,
        ALPHABET_CODES[pool[at + 3]! % ALPHABET_CODES.length]!,
        ALPHABET_CODES[pool[at + 4]! % ALPHABET_CODES.length]!,
      );
      if (!this.#jobs.has(id)) return id;
    }
  }

  add(job: Job): void {
    this.#jobs.set(job.id, job);
  }

  get(id: string): Job | undefined {
    return this.#jobs.get(id.toLowerCase().replace(/^#/, ""));
  }

  remove(id: string): void {
    this.#jobs.delete(id);
    if (this.#idle.size > 0 && this.runningCount() === 0) for (const resolve of this.#idle) resolve();
  }

  list(): Job[] {
    return [...this.#jobs.values()].sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime());
  }

  runningCount(): number {
    let n = 0;
    for (const job of this.#jobs.values()) if (job.state === "running") n++;
    return n;
  }

  /** Resolves when no job is running (jobs waiting for approval don't count). */
  idle(): Promise<void> {
    if (this.runningCount() === 0) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        this.#idle.delete(done);
        resolve();
      };
      this.#idle.add(done);
    });
  }
}

/** Arguments with every `secret` argument replaced by `[redacted]`. */
export function redactArgs(command: AnyCommand, args: Record<string, unknown>): Record<string, unknown> {
  const redacted: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(args)) {
    redacted[name] = command.args[name]?.options.secret && value !== undefined ? "[redacted]" : value;
  }
  return redacted;
}
