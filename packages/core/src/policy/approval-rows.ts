/**
 * Approvals as rows: an optional capability of a {@link Store} shared by several instances (store-postgres). A job
 * waiting for approval lives in the memory of the instance that took its request (it alone can run it), and is also
 * a row every instance can read. `approve <id>` and `deny <id>` then work on any instance: it checks the person
 * against its own policy and records the decision — the vote or the refusal, with its audit entry — in one
 * transaction on the row it holds locked. The instance holding the job is told, and starts it once (a conditional
 * update from `approved` to `running` decides). Stores without the capability (memory, SQLite: one instance) keep
 * waiting jobs in memory only, as before.
 * @module
 */
import type { AuditRecord } from "../audit/audit.js";
import type { NamespaceEntries } from "./identity.js";
import type { ApprovalRequirement } from "./permissions.js";

/** What a waiting job's row holds: enough for any instance to check an approver and write the audit entries. */
export interface WaitingJobRow {
  jobId: string;
  /** The instance holding the job: the only one that can run it. */
  instance: string;
  /** The requester's principal id (never an approver) and name. */
  requester: string;
  requesterName: string;
  command: string;
  network: string;
  room: string;
  /** Digest of the prepared invocation people approve. */
  digest: string;
  rule: string;
  permission: string;
  count: number;
  requirements: ApprovalRequirement[];
  requireVerifiedDevice: boolean;
  /** How long it waits, from the row's creation (the database's clock). */
  ttlMs: number;
}

/**
 * Where a waiting job is: `waiting`; `approved` (enough approvals, the holder has not started it yet); `running`
 * (started by its holder); `done` (ran); `closed` (refused, withdrawn, expired); `abandoned` (its holder stopped).
 */
export type WaitingJobStatus = "waiting" | "approved" | "running" | "done" | "closed" | "abandoned";

/** One recorded approval. */
export interface ApprovalVote {
  /** Principal id. */
  approver: string;
  name: string;
  /** The roles that counted for the approval when it was given. */
  roles: string[];
}

/** A waiting job's row as read (under a lock when deciding). */
export interface WaitingJobState extends Omit<WaitingJobRow, "ttlMs"> {
  status: WaitingJobStatus;
  expiresAt: Date;
  /** Whether `expiresAt` has passed (the database's clock). */
  expired: boolean;
  /** Whether the holding instance still heartbeats; a job of a stopped instance is abandoned, never run elsewhere. */
  holderAlive: boolean;
  /** The approvals so far, in the order they were given. */
  votes: ApprovalVote[];
  /** When closed: how it ended and what the room was told (`was refused by Bob`). */
  outcome?: "rejected" | "expired" | "cancelled" | "failed";
  note?: string;
  closedBy?: string;
}

/** What a decision changes; applied with its audit records in the same transaction as the read. */
export type RowChange =
  | { kind: "none" }
  /** Records `vote`; removes the votes of `dropped` (no longer holding the permission); `approved` when enough. */
  | { kind: "vote"; vote: ApprovalVote; dropped: string[]; approved: boolean }
  | { kind: "close"; outcome: "rejected" | "expired" | "cancelled" | "failed"; note: string; by?: string };

/** The result of a decision callback. */
export interface RowDecision<T> {
  change: RowChange;
  /** Audit records written in the same transaction as the change. */
  records: AuditRecord[];
  result: T;
}

/**
 * Waiting jobs as rows shared by every instance (see the module comment). The records it writes go to the bot's audit
 * chain: the store and the audit log must be the same database's (store-postgres opens them together).
 */
export interface ApprovalRows {
  /** This instance's id (the holder of the jobs it opens). */
  readonly instance: string;
  /**
   * Writes the row of a job that starts waiting, together with `records` (its `admitted` and request entries). Throws
   * {@link JobIdTakenError} (writing nothing) when a live job of another instance has the same id. `claimedAs`: the
   * id the job's message was claimed under, when the job has since taken a new one; the claim is moved to the new id
   * in the same transaction.
   */
  open(row: WaitingJobRow, records: AuditRecord[], claimedAs?: string): Promise<void>;
  /**
   * Reads job `jobId`'s row under a lock, calls `decide` (synchronous; it may throw to refuse, and then nothing is
   * written), applies its change and appends its records, all in one transaction; tells the holder when something
   * changed. Resolves to the callback's result. `read`: store namespaces read in the same transaction, after the row
   * is locked, and passed to `decide` (the runtime role grants: a vote is checked against the grants as they are,
   * not as this instance last heard of them).
   */
  decide<T>(
    jobId: string,
    decide: (state: WaitingJobState | undefined, read: NamespaceEntries) => RowDecision<T>,
    read?: readonly string[],
  ): Promise<T>;
  /** Reads job `jobId`'s row. */
  read(jobId: string): Promise<WaitingJobState | undefined>;
  /**
   * The other live instance running job `jobId` (a job that needed no approval has no row, but its claim names its
   * instance), if any: `cancel` there answers where it runs instead of "no such job". Optional.
   */
  runningOn?(jobId: string): Promise<string | undefined>;
  /** Moves an approved job of this instance to `running`; true for exactly one caller, ever. */
  start(jobId: string): Promise<boolean>;
  /**
   * Calls `changed(jobId)` when a job this instance holds changed elsewhere, and `changed(undefined)` when every
   * job should be read again (after the notification channel (re)connected, and now and then). Returns the stop.
   */
  watch(changed: (jobId: string | undefined) => void): () => void;
}

/** A job id already used by a live waiting job of another instance (ids are unique per instance only). */
export class JobIdTakenError extends Error {
  constructor(readonly jobId: string) {
    super(`job id ${jobId} is taken by a live job of another instance`);
    this.name = "JobIdTakenError";
  }
}
