import type { Lock, Store } from "@switchboard/core";
import type { LockRequest, LockResult } from "@switchboard/core/audit";
import type Database from "better-sqlite3";
import type { SqliteDatabase } from "./open-database.js";
import { migrate } from "./schema.js";

/** Options for {@link SqliteStore}. */
export interface SqliteStoreOptions {
  /** When true, {@link SqliteStore.close} also closes the database. Default `false` (the caller owns it). */
  closeDatabase?: boolean;
}

interface LockRow {
  name: string;
  owner: string;
  reason: string;
  acquired_at: number;
  expires_at: number;
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

/** A GLOB pattern matching keys that start with `prefix` (`*`, `?` and `[` are escaped as `[*]`, `[?]`, `[[]`). */
function prefixGlob(prefix: string): string {
  return `${prefix.replace(/[*?[]/g, "[$&]")}*`;
}

/** Code-unit order, as {@link MemoryStore} sorts keys. */
function byKey([a]: [string, unknown], [b]: [string, unknown]): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function serialise(value: unknown): string {
  const json = JSON.stringify(value);
  if (json === undefined) throw new TypeError(`store values must be JSON-serialisable, not ${typeof value}`);
  return json;
}

/**
 * The durable {@link Store}: key/value data and leases in SQLite. Behaves like core's `MemoryStore` (values are
 * copied through JSON, keys are listed in code-unit order, locks by name in code-unit order) and is safe to share
 * between processes: taking a lock is one IMMEDIATE transaction, so two processes cannot both win it.
 *
 * Lock times come from each process's clock; processes sharing a file should have synchronised clocks.
 */
export class SqliteStore implements Store {
  readonly #db: SqliteDatabase;
  readonly #closeDatabase: boolean;
  readonly #get: Database.Statement<[string, string], string>;
  readonly #set: Database.Statement<[string, string, string]>;
  readonly #add: Database.Statement<[string, string, string]>;
  readonly #delete: Database.Statement<[string, string]>;
  readonly #listAll: Database.Statement<[string], { key: string; value: string }>;
  readonly #listPrefix: Database.Statement<[string, string], { key: string; value: string }>;
  readonly #getLock: Database.Statement<[string], LockRow>;
  readonly #putLock: Database.Statement<[string, string, string, number, number]>;
  readonly #releaseLock: Database.Statement<[string, number, string | null, string | null]>;
  readonly #listLocks: Database.Statement<[number], LockRow>;
  readonly #acquire: Database.Transaction<(request: LockRequest) => LockResult>;
  readonly #claim: Database.Statement<[string, number, string, number]>;

  /**
   * @param db - An open database, normally from {@link openDatabase}. Its schema is brought up to date.
   */
  constructor(db: SqliteDatabase, options: SqliteStoreOptions = {}) {
    migrate(db);
    this.#db = db;
    this.#closeDatabase = options.closeDatabase ?? false;
    this.#get = db.prepare<[string, string], string>("SELECT value FROM kv WHERE namespace = ? AND key = ?").pluck();
    this.#set = db.prepare(
      "INSERT INTO kv (namespace, key, value) VALUES (?, ?, ?) ON CONFLICT (namespace, key) DO UPDATE SET value = excluded.value",
    );
    this.#add = db.prepare(
      "INSERT INTO kv (namespace, key, value) VALUES (?, ?, ?) ON CONFLICT (namespace, key) DO NOTHING",
    );
    this.#delete = db.prepare("DELETE FROM kv WHERE namespace = ? AND key = ?");
    this.#listAll = db.prepare("SELECT key, value FROM kv WHERE namespace = ?");
    this.#listPrefix = db.prepare("SELECT key, value FROM kv WHERE namespace = ? AND key GLOB ?");
    this.#getLock = db.prepare("SELECT * FROM locks WHERE name = ?");
    this.#putLock = db.prepare(
      `INSERT INTO locks (name, owner, reason, acquired_at, expires_at) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (name) DO UPDATE SET owner = excluded.owner, reason = excluded.reason,
         acquired_at = excluded.acquired_at, expires_at = excluded.expires_at`,
    );
    this.#releaseLock = db.prepare("DELETE FROM locks WHERE name = ? AND expires_at > ? AND (? IS NULL OR owner = ?)");
    this.#listLocks = db.prepare("SELECT * FROM locks WHERE expires_at > ?");
    this.#claim = db.prepare(
      `INSERT INTO claims (name, at, owner, claimed_at) VALUES (?, ?, ?, ?)
       ON CONFLICT (name) DO UPDATE SET at = excluded.at, owner = excluded.owner, claimed_at = excluded.claimed_at
       WHERE excluded.at > claims.at`,
    );
    this.#acquire = db.transaction((request: LockRequest): LockResult => {
      const now = Date.now();
      const expiresAt = new Date(now + request.ttlMs).getTime();
      if (Number.isNaN(expiresAt)) throw new RangeError(`ttlMs must be a finite number, not ${request.ttlMs}`);
      const held = this.#getLock.get(request.name);
      const live = held !== undefined && held.expires_at > now;
      if (live && held.owner !== request.owner) return { acquired: false, holder: toLock(held) };
      const row: LockRow = {
        name: request.name,
        owner: request.owner,
        reason: request.reason,
        acquired_at: live ? held.acquired_at : now,
        expires_at: expiresAt,
      };
      this.#putLock.run(row.name, row.owner, row.reason, row.acquired_at, row.expires_at);
      return { acquired: true, lock: toLock(row) };
    });
  }

  async get<T>(namespace: string, key: string): Promise<T | undefined> {
    const raw = this.#get.get(namespace, key);
    return raw === undefined ? undefined : (JSON.parse(raw) as T);
  }

  /** @throws TypeError when `value` has no JSON encoding (`undefined`, a function, a symbol). */
  async set<T>(namespace: string, key: string, value: T): Promise<void> {
    this.#set.run(namespace, key, serialise(value));
  }

  /** One statement (`INSERT … ON CONFLICT DO NOTHING`): atomic between processes sharing the file. */
  async setIfAbsent<T>(namespace: string, key: string, value: T): Promise<boolean> {
    return this.#add.run(namespace, key, serialise(value)).changes > 0;
  }

  async delete(namespace: string, key: string): Promise<boolean> {
    return this.#delete.run(namespace, key).changes > 0;
  }

  async list<T>(namespace: string, prefix = ""): Promise<Array<[string, T]>> {
    let rows: Array<{ key: string; value: string }>;
    if (prefix === "") rows = this.#listAll.all(namespace);
    // GLOB patterns end at a NUL character: filter such prefixes here instead.
    else if (prefix.includes("\0")) rows = this.#listAll.all(namespace).filter((row) => row.key.startsWith(prefix));
    else rows = this.#listPrefix.all(namespace, prefixGlob(prefix));
    return rows.map((row): [string, T] => [row.key, JSON.parse(row.value) as T]).sort(byKey);
  }

  /** Takes or renews the lock in one IMMEDIATE transaction; an expired lock is taken over. */
  async acquireLock(request: LockRequest): Promise<LockResult> {
    return this.#acquire.immediate(request);
  }

  async releaseLock(name: string, owner?: string): Promise<boolean> {
    const who = owner ?? null;
    return this.#releaseLock.run(name, Date.now(), who, who).changes > 0;
  }

  async listLocks(): Promise<Lock[]> {
    return this.#listLocks
      .all(Date.now())
      .map(toLock)
      .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  /** One conditional upsert: it changes a row only when `at` is later than the claimed occurrence. */
  async claimOccurrence(name: string, at: Date, owner: string): Promise<boolean> {
    const time = at.getTime();
    if (Number.isNaN(time)) throw new RangeError(`claim ${name}: not a date`);
    return this.#claim.run(name, time, owner, Date.now()).changes > 0;
  }

  /** Closes the database if this store was created with `closeDatabase: true`; otherwise does nothing. */
  async close(): Promise<void> {
    if (this.#closeDatabase && this.#db.open) this.#db.close();
  }
}
