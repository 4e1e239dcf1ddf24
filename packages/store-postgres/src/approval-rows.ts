/**
 * Approvals as rows (core's optional {@link ApprovalRows} store capability): a job waiting for approval is a row in
 * `approval_jobs`, each approval a row in `approval_votes`. Any instance decides on a row it holds locked
 * (`SELECT … FOR UPDATE`), writing the change and its audit entries in the same transaction, then tells the holding
 * instance with `pg_notify`. The store namespaces a decision is checked against (the runtime role grants) are read in
 * that transaction too, after the lock. The holder moves an approved row to `running` with a conditional UPDATE: one caller
 * wins, so the job starts once. NOTIFY is only a wake-up: the holder reads its jobs again after each (re)connect of
 * its LISTEN connection and every few seconds.
 * @module
 */
import type {
  ApprovalRows,
  AuditRecord,
  NamespaceEntries,
  RowDecision,
  WaitingJobRow,
  WaitingJobState,
} from "@switchboard/core";
import { JobIdTakenError } from "@switchboard/core";
import type pg from "pg";
import type { ConnectOptions } from "./connect.js";
import { NoticeListener } from "./notice-listener.js";
import { appendOn } from "./postgres-audit-log.js";
import { listOn } from "./postgres-store.js";

/** The NOTIFY channel: payload `{"instance": holder, "job": id}`. */
export const APPROVAL_CHANNEL = "switchboard_approvals";

/** Options for {@link PostgresApprovalRows}. */
export interface ApprovalRowsOptions {
  pool: pg.Pool;
  /** This instance's id. */
  instance: string;
  /** For the dedicated LISTEN connection. */
  connect: ConnectOptions;
  /** An instance whose heartbeat is older than this (DB time) is dead: its jobs are not approved. Default 15,000. */
  deadAfterMs?: number;
  /** How often the holder reads its jobs again without being told. Default 5,000 ms. */
  resyncEveryMs?: number;
  onError?: (error: unknown) => void;
}

interface JobRow {
  job_id: string;
  instance: string;
  requester: string;
  requester_name: string;
  command: string;
  network: string;
  room: string;
  digest: string;
  rule: string;
  permission: string;
  needed: number;
  requirements: WaitingJobRow["requirements"];
  verified_device: boolean;
  expires_at: Date;
  status: WaitingJobState["status"];
  outcome: WaitingJobState["outcome"] | null;
  closed_by: string | null;
  note: string | null;
  expired: boolean;
  holder_alive: boolean;
}

const READ_JOB = `
  SELECT j.*, j.expires_at <= now() AS expired,
         coalesce(NOT i.stopped AND i.heartbeat_at >= now() - $2 * interval '1 millisecond', false) AS holder_alive
  FROM approval_jobs j LEFT JOIN instances i ON i.id = j.instance
  WHERE j.job_id = $1`;

const READ_VOTES = "SELECT approver, name, roles FROM approval_votes WHERE job_id = $1 ORDER BY n";

/** A job's running claim on another live instance (the claim of the message that started it names its instance). */
const RUNNING_ON = `
  SELECT c.instance FROM inbound c JOIN instances i ON i.id = c.instance
  WHERE c.job_id = $1 AND c.status = 'running' AND c.instance <> $2
    AND NOT i.stopped AND i.heartbeat_at >= now() - $3 * interval '1 millisecond'
  ORDER BY c.claimed_at DESC LIMIT 1`;

/** Finished rows are kept a week (an approver of one is told what became of it), then dropped. */
const OPEN = `
  WITH gone AS (
    DELETE FROM approval_jobs
    WHERE (job_id = $1 OR changed_at < now() - interval '7 days') AND status IN ('done', 'closed', 'abandoned')
  )
  INSERT INTO approval_jobs (job_id, instance, requester, requester_name, command, network, room, digest, rule,
                             permission, needed, requirements, verified_device, expires_at)
  VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, now() + $14 * interval '1 millisecond')`;

/** Core's {@link ApprovalRows} on PostgreSQL. */
export class PostgresApprovalRows implements ApprovalRows {
  readonly instance: string;
  readonly #options: ApprovalRowsOptions;
  readonly #pool: pg.Pool;
  readonly #watchers = new Set<(jobId: string | undefined) => void>();
  readonly #listener: NoticeListener;
  #resync: NodeJS.Timeout | undefined;

  constructor(options: ApprovalRowsOptions) {
    this.#options = options;
    this.#pool = options.pool;
    this.instance = options.instance;
    this.#listener = new NoticeListener({
      connect: options.connect,
      channel: APPROVAL_CHANNEL,
      onNotice: (payload) => {
        const { instance, job } = JSON.parse(payload) as { instance?: unknown; job?: unknown };
        if (instance === this.instance && typeof job === "string") this.#tell(job);
      },
      // Whatever was said while nobody listened: read every job again.
      onListening: () => this.#tell(undefined),
      ...(options.onError ? { onError: options.onError } : {}),
    });
  }

  async open(row: WaitingJobRow, records: AuditRecord[], claimedAs?: string): Promise<void> {
    await this.#transaction(async (client) => {
      await client
        .query(OPEN, [
          row.jobId,
          row.instance,
          row.requester,
          row.requesterName,
          row.command,
          row.network,
          row.room,
          row.digest,
          row.rule,
          row.permission,
          row.count,
          JSON.stringify(row.requirements),
          row.requireVerifiedDevice,
          row.ttlMs,
        ])
        .catch((error: unknown) => {
          // Ids are unique per instance only: a live job of another instance has this one.
          if ((error as { code?: string; constraint?: string }).constraint === "approval_jobs_pkey")
            throw new JobIdTakenError(row.jobId);
          throw error;
        });
      if (claimedAs !== undefined)
        await client.query(
          "UPDATE inbound SET job_id = $1 WHERE job_id = $2 AND instance = $3 AND status = 'running'",
          [row.jobId, claimedAs, this.instance],
        );
      await appendOn(client, records);
    });
  }

  async read(jobId: string): Promise<WaitingJobState | undefined> {
    return this.#read(this.#pool, jobId, false);
  }

  async decide<T>(
    jobId: string,
    decide: (state: WaitingJobState | undefined, read: NamespaceEntries) => RowDecision<T>,
    read: readonly string[] = [],
  ): Promise<T> {
    return this.#transaction(async (client) => {
      const state = await this.#read(client, jobId, true);
      // Read after the row is locked, in the same transaction: what the decision is checked against (the grants)
      // is as committed now, whatever this instance last heard.
      const entries = new Map<string, Array<[string, unknown]>>();
      for (const namespace of read) entries.set(namespace, await listOn<unknown>(client, namespace));
      const decision = decide(state, entries);
      const { change } = decision;
      if (change.kind !== "none" && state) {
        if (change.kind === "vote") {
          await client.query("INSERT INTO approval_votes (job_id, approver, name, roles) VALUES ($1, $2, $3, $4)", [
            state.jobId,
            change.vote.approver,
            change.vote.name,
            JSON.stringify(change.vote.roles),
          ]);
          if (change.dropped.length > 0)
            await client.query("DELETE FROM approval_votes WHERE job_id = $1 AND approver = ANY($2::text[])", [
              state.jobId,
              change.dropped,
            ]);
          if (change.approved)
            await client.query(
              "UPDATE approval_jobs SET status = 'approved', changed_at = now() WHERE job_id = $1 AND status = 'waiting'",
              [state.jobId],
            );
        } else {
          await client.query(
            `UPDATE approval_jobs SET status = 'closed', outcome = $2, note = $3, closed_by = $4, changed_at = now()
             WHERE job_id = $1 AND status = 'waiting'`,
            [state.jobId, change.outcome, change.note, change.by ?? null],
          );
          // The claim (job row) is finished too: the job's outcome is the entry written below.
          await client.query(
            "UPDATE inbound SET status = 'done' WHERE job_id = $1 AND instance = $2 AND status = 'running'",
            [state.jobId, state.instance],
          );
        }
        await client.query("SELECT pg_notify($1, $2)", [
          APPROVAL_CHANNEL,
          JSON.stringify({ instance: state.instance, job: state.jobId }),
        ]);
      }
      await appendOn(client, decision.records);
      return decision.result;
    });
  }

  async runningOn(jobId: string): Promise<string | undefined> {
    const { rows } = await this.#pool.query<{ instance: string }>(RUNNING_ON, [
      jobId,
      this.instance,
      this.#options.deadAfterMs ?? 15_000,
    ]);
    return rows[0]?.instance;
  }

  async start(jobId: string): Promise<boolean> {
    const { rowCount } = await this.#pool.query(
      `UPDATE approval_jobs SET status = 'running', changed_at = now()
       WHERE job_id = $1 AND instance = $2 AND status = 'approved'`,
      [jobId, this.instance],
    );
    return (rowCount ?? 0) === 1;
  }

  watch(changed: (jobId: string | undefined) => void): () => void {
    this.#watchers.add(changed);
    this.#listener.start();
    if (!this.#resync) {
      this.#resync = setInterval(() => this.#tell(undefined), this.#options.resyncEveryMs ?? 5_000);
      this.#resync.unref?.();
    }
    return () => this.#watchers.delete(changed);
  }

  /** Closes the LISTEN connection and stops reading again. Idempotent. */
  async close(): Promise<void> {
    clearInterval(this.#resync);
    await this.#listener.close();
  }

  #tell(jobId: string | undefined): void {
    for (const watcher of this.#watchers) watcher(jobId);
  }

  async #read(client: pg.ClientBase | pg.Pool, jobId: string, lock: boolean): Promise<WaitingJobState | undefined> {
    const { rows } = await client.query<JobRow>(`${READ_JOB}${lock ? " FOR UPDATE OF j" : ""}`, [
      jobId,
      this.#options.deadAfterMs ?? 15_000,
    ]);
    const row = rows[0];
    if (!row) return undefined;
    const votes = await client.query<{ approver: string; name: string; roles: string[] }>(READ_VOTES, [jobId]);
    return {
      jobId: row.job_id,
      instance: row.instance,
      requester: row.requester,
      requesterName: row.requester_name,
      command: row.command,
      network: row.network,
      room: row.room,
      digest: row.digest,
      rule: row.rule,
      permission: row.permission,
      count: row.needed,
      requirements: row.requirements,
      requireVerifiedDevice: row.verified_device,
      status: row.status,
      expiresAt: new Date(row.expires_at),
      expired: row.expired,
      holderAlive: row.holder_alive,
      votes: votes.rows.map((v) => ({ approver: v.approver, name: v.name, roles: v.roles })),
      ...(row.outcome ? { outcome: row.outcome } : {}),
      ...(row.note !== null ? { note: row.note } : {}),
      ...(row.closed_by !== null ? { closedBy: row.closed_by } : {}),
    };
  }

  async #transaction<T>(work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    const client = await this.#pool.connect();
    try {
      await client.query("BEGIN");
      const result = await work(client);
      await client.query("COMMIT");
      return result;
    } catch (error) {
      await client.query("ROLLBACK").catch(() => {});
      throw error;
    } finally {
      client.release();
    }
  }
}
