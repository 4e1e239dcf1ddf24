/**
 * Instances and at-most-once jobs: each instance heartbeats a row; the running jobs (claimed messages) of an
 * instance that stopped heartbeating become `abandoned` — audited with their room, their locks released — and are
 * never run again. Their outcome is unknown: the work may or may not have happened.
 * @module
 */
import type { AuditRecord } from "@switchboard/core";
import type pg from "pg";
import { appendOn } from "./postgres-audit-log.js";

/** A job taken from a dead instance. */
export interface AbandonedJob {
  network: string;
  messageId: string;
  jobId: string | null;
  /** The room it was asked in: announce there that its outcome is unknown. */
  room: string | null;
  /** The instance that was running it. */
  instance: string;
}

/** Options for {@link InstanceRegistry}. */
export interface InstanceRegistryOptions {
  pool: pg.Pool;
  instance: string;
  /** How often this instance heartbeats. Default 2,000 ms. */
  heartbeatEveryMs?: number;
  /** An instance whose heartbeat is older than this (DB time) is dead. Default 15,000 ms. */
  deadAfterMs?: number;
  /** Jobs of dead instances, after they were marked and audited (announce them). */
  onAbandoned?: (jobs: AbandonedJob[]) => void | Promise<void>;
  onError?: (error: unknown) => void;
}

const REAP = `
  WITH dead AS (
    SELECT id FROM instances
    WHERE id <> $1 AND (stopped OR heartbeat_at < now() - $2 * interval '1 millisecond')
  ), freed AS (
    DELETE FROM locks WHERE instance IN (SELECT id FROM dead)
  )
  UPDATE inbound SET status = 'abandoned'
  WHERE status = 'running' AND instance IN (SELECT id FROM dead)
  RETURNING network, message_id, job_id, network_room, instance`;

/** Heartbeats this instance and abandons the running jobs of dead ones. */
export class InstanceRegistry {
  readonly #options: InstanceRegistryOptions;
  #timer: NodeJS.Timeout | undefined;

  constructor(options: InstanceRegistryOptions) {
    this.#options = options;
  }

  /** Registers this instance and starts heartbeating (and reaping) in the background. */
  async start(): Promise<void> {
    await this.#options.pool.query(
      `INSERT INTO instances (id, started_at, heartbeat_at) VALUES ($1, now(), now())
       ON CONFLICT (id) DO UPDATE SET heartbeat_at = now(), stopped = false`,
      [this.#options.instance],
    );
    const every = this.#options.heartbeatEveryMs ?? 2_000;
    const tick = () => {
      this.#timer = setTimeout(() => {
        this.beat()
          .then(() => this.reap())
          .catch((error: unknown) => this.#options.onError?.(error))
          .finally(tick);
      }, every);
      this.#timer.unref?.();
    };
    tick();
  }

  /** One heartbeat. */
  async beat(): Promise<void> {
    await this.#options.pool.query("UPDATE instances SET heartbeat_at = now() WHERE id = $1", [this.#options.instance]);
  }

  /**
   * Marks the running jobs of dead instances `abandoned`, releases their locks and audits each (an `outcome` entry
   * without an outcome, `detail.status: "abandoned"`), all in one transaction; then calls `onAbandoned`.
   * Idempotent: a job is abandoned once, by whichever instance reaps first.
   */
  async reap(): Promise<AbandonedJob[]> {
    const client = await this.#options.pool.connect();
    let jobs: AbandonedJob[];
    try {
      await client.query("BEGIN");
      const { rows } = await client.query<{
        network: string;
        message_id: string;
        job_id: string | null;
        network_room: string | null;
        instance: string;
      }>(REAP, [this.#options.instance, this.#options.deadAfterMs ?? 15_000]);
      jobs = rows.map((row) => ({
        network: row.network,
        messageId: row.message_id,
        jobId: row.job_id,
        room: row.network_room,
        instance: row.instance,
      }));
      if (jobs.length > 0) {
        const admitted = await client.query<{ job_id: string; actor: string | null; command: string | null }>(
          "SELECT job_id, actor, command FROM audit WHERE event = 'admitted' AND job_id = ANY($1::text[])",
          [jobs.map((job) => job.jobId).filter((id) => id !== null)],
        );
        const about = new Map(admitted.rows.map((row) => [row.job_id, row]));
        const records: AuditRecord[] = jobs.map((job) => ({
          event: "outcome",
          jobId: job.jobId ?? undefined,
          actor: about.get(job.jobId ?? "")?.actor ?? undefined,
          command: about.get(job.jobId ?? "")?.command ?? undefined,
          network: job.network,
          room: job.room ?? undefined,
          detail: {
            status: "abandoned",
            instance: job.instance,
            reason: "the instance running it stopped; its outcome is unknown and it is not run again",
            abandonedBy: this.#options.instance,
          },
        }));
        await appendOn(client, records);
      }
      await client.query("COMMIT");
    } catch (error) {
      await client.query("ROLLBACK").catch(() => {});
      throw error;
    } finally {
      client.release();
    }
    if (jobs.length > 0) await this.#options.onAbandoned?.(jobs);
    return jobs;
  }

  /** Stops heartbeating and marks this instance stopped (its leftover running jobs are then abandoned by others). */
  async stop(): Promise<void> {
    clearTimeout(this.#timer);
    await this.#options.pool.query("UPDATE instances SET stopped = true WHERE id = $1", [this.#options.instance]);
  }
}
