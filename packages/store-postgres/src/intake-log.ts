/**
 * The audit log with exactly-once intake and job tracking: a message is claimed by (network, message id) in the
 * same transaction (one round trip) as its first audit entry; the claim row is the job row, marked `done` by the
 * same statement that writes the job's outcome, and `abandoned` when its instance dies.
 * @module
 */
import type { AuditEntry, AuditRecord } from "@switchboard/core";
import type { MessageClaim } from "@switchboard/core/audit";
import type pg from "pg";
import { columnValue } from "./audit-rows.js";
import { type AppendedRow, appendOn, fillEntries, PostgresAuditLog, splitRecord } from "./postgres-audit-log.js";

/** The SQL of a claim with records: see `intake_claim_append` in the schema. */
const CLAIM_APPEND_SQL =
  "SELECT seq, prev_hash, hash, time FROM intake_claim_append($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)";

/** An outcome's append also closes its job row, in the same statement. */
const APPEND_OUTCOME_SQL = `
  WITH done AS (UPDATE inbound SET status = 'done' WHERE job_id = ANY($8::text[]) AND status = 'running')
  SELECT seq, prev_hash, hash, time FROM audit_append($1, $2, $3, $4, $5, $6, $7)`;

/**
 * {@link PostgresAuditLog} plus core's optional intake capability ({@link IntakeLog.appendClaimed}): with several
 * instances reading the same network (Slack Socket Mode, Events API behind a load balancer, a Matrix sync after
 * failover), each message runs once, on whichever instance claims it first.
 */
export class IntakeLog extends PostgresAuditLog {
  readonly #pool: pg.Pool;
  /** This instance's id, recorded on the claims (job rows) it takes. */
  readonly instance: string;

  constructor(pool: pg.Pool, instance: string) {
    super(pool);
    this.#pool = pool;
    this.instance = instance;
  }

  /**
   * Claims `claim` and appends `records` in one transaction (one round trip). Resolves to the stored entries, or
   * `undefined` (nothing written) when another instance — or this one, for a redelivered message — claimed the same
   * (network, message id) before. With no records, only the claim is taken (`[]` when it was).
   */
  async appendClaimed(claim: MessageClaim, records: AuditRecord[]): Promise<AuditEntry[] | undefined> {
    const jobId = records.find((record) => record.jobId !== undefined)?.jobId ?? claim.jobId ?? null;
    if (records.length === 0) {
      const { rowCount } = await this.#pool.query(
        `INSERT INTO inbound (network, message_id, instance, job_id, network_room) VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT DO NOTHING`,
        [claim.network, claim.messageId, this.instance, jobId, claim.room ?? null],
      );
      return (rowCount ?? 0) > 0 ? [] : undefined;
    }
    const parts = records.map(splitRecord);
    const { rows } = await this.#pool.query<AppendedRow>(CLAIM_APPEND_SQL, [
      claim.network,
      claim.messageId,
      this.instance,
      jobId,
      claim.room ?? null,
      // A message whose first records already close it (a denial, a failed check) is no running job.
      records.some((r) => r.outcome !== undefined) ? "done" : "running",
      parts.map((p) => p.before),
      parts.map((p) => p.middle),
      records.map((r) => columnValue(r.event)),
      records.map((r) => columnValue(r.jobId)),
      records.map((r) => columnValue(r.actor)),
      records.map((r) => columnValue(r.command)),
      records.map((r) => columnValue(r.outcome)),
    ]);
    if (rows.length === 0) return undefined;
    return fillEntries(
      parts.map((p) => p.entry),
      rows,
    );
  }

  /**
   * Appends; when the batch holds outcomes, their job rows are marked `done` in the same statement.
   *
   * Group commit: appends made in the same turn of the event loop (concurrent jobs of this instance) go to the
   * database in one `audit_append` call, in the order they were made, each batch contiguous in the chain. If that
   * call fails, all of them reject and none of them is stored.
   */
  override append(records: AuditRecord[]): Promise<AuditEntry[]> {
    if (records.length === 0) return Promise.resolve([]);
    return new Promise((resolve, reject) => {
      this.#pending.push({ records, resolve, reject });
      if (this.#pending.length === 1) queueMicrotask(() => void this.#flush());
    });
  }

  #pending: Array<{ records: AuditRecord[]; resolve: (entries: AuditEntry[]) => void; reject: (e: unknown) => void }> =
    [];

  async #flush(): Promise<void> {
    const batch = this.#pending;
    this.#pending = [];
    const all = batch.flatMap((b) => b.records);
    const finished = all.filter((r) => r.event === "outcome" && r.jobId !== undefined).map((r) => r.jobId!);
    try {
      const entries = await appendOn(
        this.#pool,
        all,
        finished.length > 0 ? { sql: APPEND_OUTCOME_SQL, extra: [finished] } : undefined,
      );
      let at = 0;
      for (const b of batch) {
        b.resolve(entries.slice(at, at + b.records.length));
        at += b.records.length;
      }
    } catch (error) {
      for (const b of batch) b.reject(error);
    }
  }
}
