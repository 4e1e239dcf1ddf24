/**
 * The audit log with exactly-once intake and job tracking: a message is claimed by (network, message id) in the
 * same transaction (one round trip) as its first audit entry; the claim row is the job row, marked `done` by the
 * same statement that writes the job's outcome, and `abandoned` when its instance dies.
 * @module
 */
import type { AuditEntry, AuditRecord } from "@switchboard/core";
import { ClaimRefusedError, type MessageClaim } from "@switchboard/core/audit";
import type pg from "pg";
import { columnValue } from "./audit-rows.js";
import { type AppendedRow, appendOn, fillEntries, PostgresAuditLog, splitRecord } from "./postgres-audit-log.js";

/**
 * One tick's writes in one statement (one round trip, one commit). First the leases that the batch's claims were
 * received under (IRC, Matrix: {@link MessageClaim.lease}) are share-locked in resource order, as
 * `LeaseElector.withLease` does: no takeover, renewal or release of them can commit before this statement does, and
 * two batches (or a batch and a lease write, which touches one row) never wait for each other in a cycle. A claim
 * whose lease row no longer has its holder and token (or has run out) is refused: not inserted, none of its records
 * appended. Then the other claims are taken with `INSERT … ON CONFLICT DO NOTHING` in key order (two instances
 * claiming overlapping messages wait for each other in the same order, never in a cycle), then `audit_append` of
 * every record that is not tied to a lost or refused claim, then the job rows of the outcomes marked `done`. The
 * records are appended only after every claim of the statement is decided, so a record of a lost claim is never
 * written. Returns one row per stored record (`i`, its 1-based place in the batch), or a single row with `i` null
 * when nothing was appended; every row carries `won` and `refused`, the 1-based places of the claims taken and of
 * those refused.
 *
 * Parameters: claims ($1 network, $2 message id, $3 job id, $4 room, $5 status, $16 lease resource, $17 lease
 * holder, $18 lease token: null for a message not received under a lease), $6 instance; records ($7 before,
 * $8 middle, $9 event, $10 job id, $11 actor, $12 command, $13 outcome, $14 owner: the claim a record belongs to,
 * or null); $15 the job ids whose outcome is in the batch.
 */
const BATCH_SQL = `
  WITH claim AS (
    SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $16::text[], $17::text[],
                         $18::bigint[])
      WITH ORDINALITY AS c(network, message_id, job_id, room, status, lease_resource, lease_holder, lease_token, k)
  ), held AS MATERIALIZED (
    SELECT resource, holder, token FROM leases
    WHERE resource = ANY($16::text[]) AND expires_at > now()
    ORDER BY resource
    FOR SHARE
  ), checked AS MATERIALIZED (
    SELECT c.*, (c.lease_resource IS NULL OR (h.holder = c.lease_holder AND h.token = c.lease_token)) IS TRUE AS ok
    FROM claim c LEFT JOIN held h ON h.resource = c.lease_resource
  ), won AS (
    INSERT INTO inbound (network, message_id, instance, job_id, network_room, status)
    SELECT network, message_id, $6, job_id, room, status FROM checked WHERE ok ORDER BY network, message_id
    ON CONFLICT DO NOTHING
    RETURNING network, message_id
  ), won_k AS (
    SELECT checked.k FROM checked JOIN won USING (network, message_id) WHERE checked.ok
  ), kept AS (
    SELECT array_agg(r.before ORDER BY r.i) AS before, array_agg(r.middle ORDER BY r.i) AS middle,
           array_agg(r.event ORDER BY r.i) AS event, array_agg(r.job_id ORDER BY r.i) AS job_id,
           array_agg(r.actor ORDER BY r.i) AS actor, array_agg(r.command ORDER BY r.i) AS command,
           array_agg(r.outcome ORDER BY r.i) AS outcome, array_agg(r.i ORDER BY r.i) AS idx
    FROM unnest($7::text[], $8::text[], $9::text[], $10::text[], $11::text[], $12::text[], $13::text[], $14::int[])
      WITH ORDINALITY AS r(before, middle, event, job_id, actor, command, outcome, owner, i)
    WHERE r.owner IS NULL OR r.owner IN (SELECT k FROM won_k)
  ), done AS (
    UPDATE inbound SET status = 'done' WHERE job_id = ANY($15::text[]) AND status = 'running'
  )
  SELECT (SELECT array_agg(k) FROM won_k) AS won, (SELECT array_agg(k) FROM checked WHERE NOT ok) AS refused,
         x.i, x.seq, x.prev_hash, x.hash, x.time
  FROM (SELECT 1) AS one LEFT JOIN LATERAL (
    SELECT k.idx[a.n] AS i, a.seq, a.prev_hash, a.hash, a.time
    FROM (SELECT * FROM kept WHERE kept.idx IS NOT NULL) AS k
    CROSS JOIN LATERAL audit_append(k.before, k.middle, k.event, k.job_id, k.actor, k.command, k.outcome)
      WITH ORDINALITY AS a(seq, prev_hash, hash, time, n)
  ) AS x ON true
  ORDER BY x.i`;

/** An outcome's append also closes its job row, in the same statement. */
const APPEND_OUTCOME_SQL = `
  WITH done AS (UPDATE inbound SET status = 'done' WHERE job_id = ANY($8::text[]) AND status = 'running')
  SELECT seq, prev_hash, hash, time FROM audit_append($1, $2, $3, $4, $5, $6, $7)`;

/** A row of {@link BATCH_SQL}. */
interface BatchRow extends AppendedRow {
  won: number[] | null;
  refused: number[] | null;
  i: number | null;
}

/** One write waiting for the next batch: records, and the claim they depend on (if any). */
interface PendingWrite {
  records: AuditRecord[];
  claim?: Omit<MessageClaim, "jobId"> & { jobId: string | null; status: "running" | "done" };
  /** When it was made (`Date.now()`): a claim is retried only until {@link CLAIM_RETRY_MS} after it. */
  since: number;
  /** Resolves with the stored entries, or `undefined` when the claim was lost (nothing of it written). */
  resolve: (entries: AuditEntry[] | undefined) => void;
  reject: (error: unknown) => void;
}

/**
 * A claim whose batch the server refused without committing it (a lock wait past `lock_timeout`, a deadlock) is
 * retried for this long after it was made, then rejected (the message is not run; core answers with an internal
 * error). A claim whose batch got no pool connection in time is rejected at once (overload is shed at the door).
 * Plain appends — outcomes among them — are retried after either kind of failure for as long as it lasts: an outcome
 * is never dropped for a busy pool or a lock wait. With the database down (connection refused, lost) writes fail at
 * once as before.
 */
const CLAIM_RETRY_MS = 15_000;

/** Wait before the first retry of a failed batch, doubled per consecutive failure up to {@link RETRY_MAX_MS}. */
const RETRY_FIRST_MS = 50;
const RETRY_MAX_MS = 2_000;

/**
 * SQLSTATEs after which the statement is known not to have committed (one statement is one implicit transaction, and
 * the server answered with this error) and that pass: serialization failure, deadlock, `lock_timeout`,
 * `statement_timeout` (or a cancel), too many connections. A lost connection (class 08, an admin shutdown) is not
 * here: the commit may have happened before the answer was lost, and writing the batch again could store it twice.
 */
const NOT_COMMITTED = new Set(["40001", "40P01", "55P03", "57014", "53300"]);

/** pg-pool's error when every connection stayed checked out for `connectionTimeoutMillis`. */
const POOL_WAIT_TIMEOUT = /^timeout exceeded when trying to connect$/;

/** The pool had no connection free for the batch in time (nothing was sent). */
class NotSentError extends Error {
  override name = "NotSentError";
}

/** Whether a batch that failed with `error` certainly stored nothing (so writing it again cannot store it twice). */
function certainlyNotCommitted(error: unknown): boolean {
  if (error instanceof NotSentError) return true;
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === "string" && NOT_COMMITTED.has(code);
}

/**
 * The most writes in one batch. Past it, the rest wait for the next batch: a batch holds the audit head until its
 * commit, and an unbounded one (a backlog after a stall) would hold it longer than other instances' `lock_timeout`.
 */
const MAX_BATCH = 256;

/** The key two claims collide on. */
const claimKey = (claim: Pick<MessageClaim, "network" | "messageId">) => `${claim.network}\u0000${claim.messageId}`;

/**
 * {@link PostgresAuditLog} plus core's optional intake capability ({@link IntakeLog.appendClaimed}): with several
 * instances reading the same network (Slack Socket Mode, Events API behind a load balancer, a Matrix sync after
 * failover), each message runs once, on whichever instance claims it first.
 *
 * Group commit: claims and appends made while the previous batch is on its way to the database (and in the same turn
 * of the event loop) go in the next batch: one statement, one transaction, one WAL flush for all of them, in the
 * order they were made, each write's records contiguous in the chain. One batch is in flight at a time per instance,
 * so the batches grow with the load instead of queueing on the audit head. If a batch fails, every write in it
 * rejects and none of them is stored.
 */
export class IntakeLog extends PostgresAuditLog {
  readonly #pool: pg.Pool;
  /** This instance's id, recorded on the claims (job rows) it takes. */
  readonly instance: string;
  /** Plain appends (outcomes among them) waiting, in the order they were made. They go first in every batch. */
  #appends: PendingWrite[] = [];
  /** Claims waiting, in the order they were made: each batch takes what room the appends leave (back-pressure). */
  #claims: PendingWrite[] = [];
  /** Whether a batch is in flight or a retry is scheduled (the next one waits for it). */
  #flushing = false;
  /** Consecutive failed batches that were retried (the backoff). */
  #failures = 0;

  constructor(pool: pg.Pool, instance: string) {
    super(pool);
    this.#pool = pool;
    this.instance = instance;
  }

  /**
   * Claims `claim` and appends `records` in one transaction. Resolves to the stored entries, or `undefined`
   * (nothing written) when another instance — or this one, for a redelivered message — claimed the same
   * (network, message id) before. With no records, only the claim is taken (`[]` when it was). Rejects with core's
   * `ClaimRefusedError` (nothing written) when `claim.lease`, the lease term the message was received under, no longer
   * holds the lease (another holder or token, or run out).
   */
  appendClaimed(claim: MessageClaim, records: AuditRecord[]): Promise<AuditEntry[] | undefined> {
    const jobId = records.find((record) => record.jobId !== undefined)?.jobId ?? claim.jobId ?? null;
    // A message whose first records already close it (a denial, a failed check) is no running job.
    const status = records.some((r) => r.outcome !== undefined) ? "done" : "running";
    return this.#enqueue(records, { ...claim, jobId, status });
  }

  /** Appends; when the batch holds outcomes, their job rows are marked `done` in the same statement. */
  override append(records: AuditRecord[]): Promise<AuditEntry[]> {
    if (records.length === 0) return Promise.resolve([]);
    return this.#enqueue(records) as Promise<AuditEntry[]>;
  }

  #enqueue(records: AuditRecord[], claim?: PendingWrite["claim"]): Promise<AuditEntry[] | undefined> {
    return new Promise((resolve, reject) => {
      const write = { records, ...(claim ? { claim } : {}), since: Date.now(), resolve, reject };
      (claim ? this.#claims : this.#appends).push(write);
      if (this.#appends.length + this.#claims.length === 1 && !this.#flushing) queueMicrotask(() => void this.#flush());
    });
  }

  /**
   * Takes the next batch: every waiting plain append first (up to MAX_BATCH), then claims in the room left. An
   * outcome never waits behind newer claims; under overload the claims wait instead (intake slows down). Appends
   * keep their order among themselves, and claims theirs; an append never depends on a claim still waiting (a job's
   * records follow its own claim's commit).
   */
  #take(): PendingWrite[] {
    const batch = this.#appends.splice(0, MAX_BATCH);
    // The same message claimed twice in one batch (a redelivery): the second waits for the next batch, where it
    // loses to the first (or wins, if the first's batch failed).
    const keys = new Set<string>();
    const later: PendingWrite[] = [];
    for (const write of this.#claims) {
      const key = claimKey(write.claim!);
      if (batch.length >= MAX_BATCH || keys.has(key)) later.push(write);
      else {
        keys.add(key);
        batch.push(write);
      }
    }
    this.#claims = later;
    return batch;
  }

  async #flush(): Promise<void> {
    if (this.#flushing || this.#appends.length + this.#claims.length === 0) return;
    this.#flushing = true;
    const batch = this.#take();
    let retryIn = 0;
    try {
      await this.#write(batch);
      this.#failures = 0;
    } catch (error) {
      if (!certainlyNotCommitted(error)) for (const write of batch) write.reject(error);
      else {
        // Nothing of the batch is stored: write it again after a pause. Appends are put back in front, in order;
        // claims too, unless they have waited too long (then the message is refused rather than run late).
        const now = Date.now();
        const appends = batch.filter((write) => !write.claim);
        const claims: PendingWrite[] = [];
        for (const write of batch)
          if (write.claim) {
            if (!(error instanceof NotSentError) && now - write.since < CLAIM_RETRY_MS) claims.push(write);
            else write.reject(error);
          }
        this.#appends.unshift(...appends);
        this.#claims.unshift(...claims);
        retryIn = Math.min(RETRY_FIRST_MS * 2 ** this.#failures, RETRY_MAX_MS);
        this.#failures++;
      }
    } finally {
      const next = () => {
        this.#flushing = false;
        void this.#flush();
      };
      if (this.#appends.length + this.#claims.length === 0) this.#flushing = false;
      // Next turn of the event loop, not now: the jobs whose claims this batch took run their handlers first, and
      // their outcomes join the writes that queued meanwhile (one batch instead of two).
      else if (retryIn > 0) setTimeout(next, retryIn);
      else setImmediate(next);
    }
  }

  /**
   * A connection for one batch. When every connection of the pool stayed busy for the pool's whole wait (overload:
   * other work holds them), nothing was sent, which {@link NotSentError} records so the batch is retried. Any other
   * connect failure (the server refused or did not answer a new connection: the database is down) is passed on as
   * it is: the writes fail at once, as they always did, instead of hanging their callers while it is down.
   */
  async #connect(): Promise<pg.PoolClient> {
    try {
      return await this.#pool.connect();
    } catch (error) {
      if (!(error instanceof Error) || !POOL_WAIT_TIMEOUT.test(error.message)) throw error;
      throw new NotSentError(`no pool connection free for the audit batch: ${error.message}`, { cause: error });
    }
  }

  /** Writes one batch on a connection of its own and settles its writes. */
  async #write(batch: PendingWrite[]): Promise<void> {
    const client = await this.#connect();
    let broken: Error | undefined;
    try {
      await this.#writeOn(client, batch);
    } catch (error) {
      // A server error leaves the session usable; anything else (a lost connection) does not.
      if (typeof (error as { code?: unknown })?.code !== "string") broken = error as Error;
      throw error;
    } finally {
      client.release(broken);
    }
  }

  /** Writes one batch on `client` and settles its writes. */
  async #writeOn(client: pg.PoolClient, batch: PendingWrite[]): Promise<void> {
    const all = batch.flatMap((write) => write.records);
    const finished = all.filter((r) => r.event === "outcome" && r.jobId !== undefined).map((r) => r.jobId!);
    if (!batch.some((write) => write.claim)) {
      const entries = await appendOn(
        client,
        all,
        finished.length > 0 ? { sql: APPEND_OUTCOME_SQL, extra: [finished] } : undefined,
      );
      let at = 0;
      for (const write of batch) {
        write.resolve(entries.slice(at, at + write.records.length));
        at += write.records.length;
      }
      return;
    }
    const claims = batch.flatMap((write) => (write.claim ? [write.claim] : []));
    const owner: Array<number | null> = [];
    let k = 0;
    for (const write of batch) {
      if (write.claim) k++;
      for (const _ of write.records) owner.push(write.claim ? k : null);
    }
    const parts = all.map(splitRecord);
    const { rows } = await client.query<BatchRow>(BATCH_SQL, [
      claims.map((c) => c.network),
      claims.map((c) => c.messageId),
      claims.map((c) => c.jobId),
      claims.map((c) => c.room ?? null),
      claims.map((c) => c.status),
      this.instance,
      parts.map((p) => p.before),
      parts.map((p) => p.middle),
      all.map((r) => columnValue(r.event)),
      all.map((r) => columnValue(r.jobId)),
      all.map((r) => columnValue(r.actor)),
      all.map((r) => columnValue(r.command)),
      all.map((r) => columnValue(r.outcome)),
      owner,
      finished,
      claims.map((c) => c.lease?.resource ?? null),
      claims.map((c) => c.lease?.holder ?? null),
      claims.map((c) => (c.lease ? String(c.lease.token) : null)),
    ]);
    const won = new Set((rows[0]?.won ?? []).map(Number));
    const refused = new Set((rows[0]?.refused ?? []).map(Number));
    const stored = new Map<number, AppendedRow>();
    for (const row of rows) if (row.i !== null) stored.set(Number(row.i), row);
    let at = 0;
    k = 0;
    for (const write of batch) {
      if (write.claim && refused.has(++k)) {
        // Received under a lease term that has ended: nothing of it is written, and core does not run it.
        const { status: _, jobId, ...claim } = write.claim;
        write.reject(new ClaimRefusedError({ ...claim, ...(jobId !== null ? { jobId } : {}) }));
        at += write.records.length;
        continue;
      }
      if (write.claim && !won.has(k)) {
        write.resolve(undefined);
        at += write.records.length;
        continue;
      }
      const entries = write.records.map((_, j) => {
        const row = stored.get(at + j + 1);
        if (!row) throw new Error("the audit log did not store a record of a claimed message");
        return row;
      });
      write.resolve(
        fillEntries(
          parts.slice(at, at + write.records.length).map((p) => p.entry),
          entries,
        ),
      );
      at += write.records.length;
    }
  }
}
