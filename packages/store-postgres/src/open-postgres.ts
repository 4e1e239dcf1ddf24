/**
 * Opening PostgreSQL for one instance: a guarded pool, the session check (no PgBouncer transaction mode), the schema
 * migrations (once, under an advisory lock), then the store, the audit log and the intake claims on that pool.
 * @module
 */
import { randomUUID } from "node:crypto";
import { hostname } from "node:os";
import type pg from "pg";
import { PostgresApprovalRows } from "./approval-rows.js";
import { CheckpointTable } from "./checkpoint-table.js";
import { type ConnectOptions, checkSession, createPool, describeConnectError } from "./connect.js";
import { IntakeLog } from "./intake-log.js";
import { PostgresStoreChanges } from "./kv-changes.js";
import { PostgresStore } from "./postgres-store.js";
import {
  CHECKPOINTS_SCHEMA_VERSION,
  type DatabaseIdentity,
  databaseIdentity,
  type MigrationResult,
  migrate,
} from "./schema.js";

/** Options for {@link openPostgres}. */
export interface OpenPostgresOptions extends ConnectOptions {
  /**
   * This instance's id: in leases, claims and `pg_stat_activity`. Default `<hostname>:<pid>:<random>`, unique per
   * process start (a restarted process is a new instance: its predecessor's running jobs are abandoned, not resumed).
   */
  instance?: string;
  /** Called with errors of idle pooled connections (the pool drops them and opens new ones). */
  onError?: (error: Error) => void;
  /**
   * After how long without a heartbeat (DB time) an instance is taken for dead: approvals of its waiting jobs are
   * refused (the jobs are abandoned). Use the same value as the `InstanceRegistry`. Default 15,000 ms.
   */
  deadAfterMs?: number;
}

/** One instance's view of the shared database. */
export interface PostgresStorage {
  /** This instance's id. */
  instance: string;
  pool: pg.Pool;
  store: PostgresStore;
  /** The audit log, which also claims messages (exactly-once intake) and tracks jobs. */
  auditLog: IntakeLog;
  /** The signed audit checkpoints of every instance. */
  checkpoints: CheckpointTable;
  /** What the migrations did at open. */
  migration: MigrationResult;
  /** The database's id (its checkpoint files are named after it). */
  identity: DatabaseIdentity;
  /** The connection options (for dedicated clients: leases, LISTEN). */
  connect: ConnectOptions;
  /** Ends the pool. Idempotent. */
  close(): Promise<void>;
}

/** The default instance id: host, pid and a random suffix. */
export function defaultInstanceId(): string {
  return `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
}

/** Opens a guarded pool and checks one session (PgBouncer in transaction mode is refused). */
export async function openPool(options: OpenPostgresOptions): Promise<pg.Pool> {
  const pool = createPool(options);
  pool.on("error", (error) => options.onError?.(error));
  try {
    const client = await pool.connect().catch((error: unknown) => {
      throw describeConnectError(error);
    });
    try {
      await checkSession(client, options);
    } finally {
      client.release();
    }
  } catch (error) {
    await pool.end().catch(() => {});
    throw error;
  }
  return pool;
}

/** Runs the schema migrations (`./switchboard migrate`): once, however many instances call this at the same time. */
export async function migratePostgres(options: ConnectOptions): Promise<MigrationResult> {
  const pool = await openPool(options);
  try {
    const client = await pool.connect();
    try {
      return await migrate(client);
    } finally {
      client.release();
    }
  } finally {
    await pool.end();
  }
}

/**
 * Opens the shared database for this instance: checks the session, migrates the schema (under a transaction-level
 * advisory lock, before any election starts), registers the instance and returns the store and the audit log.
 *
 * @throws {@link PoolerRefusedError} when the URL leads to PgBouncer in transaction mode (or anything dropping the
 *   session guards); an Error when the schema is newer than this package.
 */
export async function openPostgres(options: OpenPostgresOptions): Promise<PostgresStorage> {
  const instance = options.instance ?? defaultInstanceId();
  const pool = await openPool({ ...options, applicationName: options.applicationName ?? `switchboard ${instance}` });
  let migration: MigrationResult;
  let identity: DatabaseIdentity;
  try {
    const client = await pool.connect();
    try {
      migration = await migrate(client);
      identity = await databaseIdentity(client);
    } finally {
      client.release();
    }
  } catch (error) {
    await pool.end().catch(() => {});
    throw error;
  }
  let closed = false;
  const approvals = new PostgresApprovalRows({
    pool,
    instance,
    connect: options,
    ...(options.deadAfterMs !== undefined ? { deadAfterMs: options.deadAfterMs } : {}),
    ...(options.onError ? { onError: (error: unknown) => options.onError!(asError(error)) } : {}),
  });
  const changes = new PostgresStoreChanges({
    pool,
    connect: options,
    ...(options.onError ? { onError: (error: unknown) => options.onError!(asError(error)) } : {}),
  });
  return {
    instance,
    pool,
    store: new PostgresStore(pool, { instance, approvals, changes }),
    auditLog: new IntakeLog(pool, instance),
    checkpoints: new CheckpointTable(pool, instance, CHECKPOINTS_SCHEMA_VERSION),
    migration,
    identity,
    connect: options,
    async close() {
      if (closed) return;
      closed = true;
      await approvals.close();
      await changes.close();
      await pool.end();
    },
  };
}

function asError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}
