/**
 * Core's {@link Store} on PostgreSQL: plugin key/value data and job locks shared by every instance. Lock times are
 * the database's clock (`now()`), never an instance's.
 * @module
 */
import type { ApprovalRows, Lock, Store, StoreChanges } from "@switchboard/core";
import type { LockRequest, LockResult } from "@switchboard/core/audit";
import type pg from "pg";

interface LockRow {
  name: string;
  owner: string;
  reason: string;
  acquired_at: Date;
  expires_at: Date;
}

function toLock(row: LockRow): Lock {
  return {
    name: row.name,
    owner: row.owner,
    reason: row.reason,
    acquiredAt: new Date(row.acquired_at),
    expiresAt: new Date(row.expires_at),
  };
}

/** Code-unit order, as core's `MemoryStore` sorts keys. */
function byKey([a]: [string, unknown], [b]: [string, unknown]): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function serialise(value: unknown): string {
  const json = JSON.stringify(value);
  if (json === undefined) throw new TypeError(`store values must be JSON-serialisable, not ${typeof value}`);
  return json;
}

/**
 * Keys are stored JSON-encoded: PostgreSQL text cannot hold NUL or lone surrogates, JSON escapes both, and the
 * encoding of a prefix is a prefix of the encoding of the key (one escape per code unit), so `starts_with` works.
 */
const encodeKey = (key: string): string => JSON.stringify(key);
const decodeKey = (stored: string): string => JSON.parse(stored) as string;
/** The encoded form a key starting with `prefix` starts with (the closing quote dropped). */
const encodePrefix = (prefix: string): string => encodeKey(prefix).slice(0, -1);
/** A prefix ending in a high surrogate encodes differently from the same code unit inside a pair. */
const endsInHighSurrogate = (prefix: string): boolean => /[\uD800-\uDBFF]$/.test(prefix);

const ACQUIRE = `
  INSERT INTO locks AS l (name, owner, reason, instance, acquired_at, expires_at)
  VALUES ($1, $2, $3, $4, now(), now() + $5 * interval '1 millisecond')
  ON CONFLICT (name) DO UPDATE SET
    owner = excluded.owner, reason = excluded.reason, instance = excluded.instance,
    acquired_at = CASE WHEN l.expires_at > now() THEN l.acquired_at ELSE excluded.acquired_at END,
    expires_at = excluded.expires_at
  WHERE l.expires_at <= now() OR l.owner = excluded.owner
  RETURNING name, owner, reason, acquired_at, expires_at`;

/** Options for {@link PostgresStore}. */
export interface PostgresStoreOptions {
  /** This instance's id, recorded on the locks it takes so they can be released if it dies. */
  instance?: string;
  /** Jobs waiting for approval as rows (several instances: approve through any of them). */
  approvals?: ApprovalRows;
  /** Being told when a namespace changes (several instances: runtime role grants follow at once). */
  changes?: StoreChanges;
}

/**
 * Every entry of `namespace`, sorted by key, read on `client` (an open transaction's connection, or the pool): the
 * same decoding as {@link PostgresStore.list}.
 */
export async function listOn<T>(client: pg.ClientBase | pg.Pool, namespace: string): Promise<Array<[string, T]>> {
  const { rows } = await client.query<{ key: string; value: string }>(
    "SELECT key, value FROM kv WHERE namespace = $1",
    [encodeKey(namespace)],
  );
  return rows.map((row): [string, T] => [decodeKey(row.key), JSON.parse(row.value) as T]).sort(byKey);
}

/**
 * The durable {@link Store} for several instances. Behaves like core's `MemoryStore` and store-sqlite's
 * `SqliteStore` (values copied through JSON, keys in code-unit order, locks by name); taking a lock is one
 * statement (`INSERT … ON CONFLICT DO UPDATE … WHERE expired or mine`), so two instances cannot both win it.
 */
export class PostgresStore implements Store {
  readonly #pool: pg.Pool;
  readonly #instance: string | null;
  readonly approvals?: ApprovalRows;
  readonly changes?: StoreChanges;

  /** @param pool - A pool from {@link openPostgres} (schema migrated, sessions guarded). */
  constructor(pool: pg.Pool, options: PostgresStoreOptions = {}) {
    this.#pool = pool;
    this.#instance = options.instance ?? null;
    if (options.approvals) this.approvals = options.approvals;
    if (options.changes) this.changes = options.changes;
  }

  async get<T>(namespace: string, key: string): Promise<T | undefined> {
    const { rows } = await this.#pool.query<{ value: string }>(
      "SELECT value FROM kv WHERE namespace = $1 AND key = $2",
      [encodeKey(namespace), encodeKey(key)],
    );
    return rows[0] === undefined ? undefined : (JSON.parse(rows[0].value) as T);
  }

  /** @throws TypeError when `value` has no JSON encoding (`undefined`, a function, a symbol). */
  async set<T>(namespace: string, key: string, value: T): Promise<void> {
    const json = serialise(value);
    await this.#pool.query(
      "INSERT INTO kv (namespace, key, value) VALUES ($1, $2, $3) ON CONFLICT (namespace, key) DO UPDATE SET value = excluded.value",
      [encodeKey(namespace), encodeKey(key), json],
    );
  }

  /**
   * One statement (`INSERT … ON CONFLICT DO NOTHING`): of instances racing for a key, one inserts and the others wait
   * for its commit and insert nothing. Nothing inserted, nothing notified.
   * @throws TypeError when `value` has no JSON encoding.
   */
  async setIfAbsent<T>(namespace: string, key: string, value: T): Promise<boolean> {
    const json = serialise(value);
    const result = await this.#pool.query(
      "INSERT INTO kv (namespace, key, value) VALUES ($1, $2, $3) ON CONFLICT (namespace, key) DO NOTHING",
      [encodeKey(namespace), encodeKey(key), json],
    );
    return result.rowCount === 1;
  }

  async delete(namespace: string, key: string): Promise<boolean> {
    const result = await this.#pool.query("DELETE FROM kv WHERE namespace = $1 AND key = $2", [
      encodeKey(namespace),
      encodeKey(key),
    ]);
    return (result.rowCount ?? 0) > 0;
  }

  async list<T>(namespace: string, prefix = ""): Promise<Array<[string, T]>> {
    if (prefix === "") return listOn<T>(this.#pool, namespace);
    const exact = !endsInHighSurrogate(prefix);
    const { rows } = await this.#pool.query<{ key: string; value: string }>(
      exact
        ? "SELECT key, value FROM kv WHERE namespace = $1 AND starts_with(key, $2)"
        : "SELECT key, value FROM kv WHERE namespace = $1",
      exact ? [encodeKey(namespace), encodePrefix(prefix)] : [encodeKey(namespace)],
    );
    return rows
      .map((row): [string, T] => [decodeKey(row.key), JSON.parse(row.value) as T])
      .filter(([key]) => key.startsWith(prefix))
      .sort(byKey);
  }

  /** Takes or renews the lock in one statement, on the database's clock; an expired lock is taken over. */
  async acquireLock(request: LockRequest): Promise<LockResult> {
    if (!Number.isFinite(request.ttlMs)) throw new RangeError(`ttlMs must be a finite number, not ${request.ttlMs}`);
    for (;;) {
      const taken = await this.#pool.query<LockRow>(ACQUIRE, [
        request.name,
        request.owner,
        request.reason,
        this.#instance,
        request.ttlMs,
      ]);
      if (taken.rows[0]) return { acquired: true, lock: toLock(taken.rows[0]) };
      const held = await this.#pool.query<LockRow>(
        "SELECT name, owner, reason, acquired_at, expires_at FROM locks WHERE name = $1 AND expires_at > now()",
        [request.name],
      );
      if (held.rows[0]) return { acquired: false, holder: toLock(held.rows[0]) };
      // Released or expired between the two statements: try again.
    }
  }

  async releaseLock(name: string, owner?: string): Promise<boolean> {
    const result = await this.#pool.query(
      "DELETE FROM locks WHERE name = $1 AND expires_at > now() AND ($2::text IS NULL OR owner = $2)",
      [name, owner ?? null],
    );
    return (result.rowCount ?? 0) > 0;
  }

  /**
   * Claims the occurrence `at` of a recurring thing (a schedule's due time) for `owner`: true only for the first
   * claim of an occurrence later than the last one claimed. One conditional upsert, so instances cannot both win.
   */
  async claimOccurrence(name: string, at: Date, owner: string): Promise<boolean> {
    const time = at.getTime();
    if (Number.isNaN(time)) throw new RangeError(`claim ${name}: not a date`);
    const result = await this.#pool.query(
      `INSERT INTO claims (name, at, owner) VALUES ($1, $2, $3)
       ON CONFLICT (name) DO UPDATE SET at = excluded.at, owner = excluded.owner, claimed_at = now()
       WHERE excluded.at > claims.at`,
      [name, time, owner],
    );
    return result.rowCount === 1;
  }

  async listLocks(): Promise<Lock[]> {
    const { rows } = await this.#pool.query<LockRow>(
      "SELECT name, owner, reason, acquired_at, expires_at FROM locks WHERE expires_at > now()",
    );
    return rows.map(toLock).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  /** The pool belongs to {@link openPostgres}; closing the store does nothing. */
  async close(): Promise<void> {}
}
