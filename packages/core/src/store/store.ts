/**
 * Store interfaces. Core ships in-memory implementations; `@switchboard/store-sqlite` is the durable default.
 * @module
 */
import type { ApprovalRows } from "../policy/approval-rows.js";

/** A lease on a named resource (a deploy environment, a rollout). */
export interface Lock {
  name: string;
  /** Principal id (or job id) holding it. */
  owner: string;
  reason: string;
  acquiredAt: Date;
  expiresAt: Date;
}

/** Asking for a lock. Taking a lock you already hold renews it. */
export interface LockRequest {
  name: string;
  owner: string;
  reason: string;
  ttlMs: number;
}

export type LockResult = { acquired: true; lock: Lock } | { acquired: false; holder: Lock };

/** Key/value data and leases, namespaced per plugin. Values must be JSON-serialisable. */
export interface Store {
  get<T>(namespace: string, key: string): Promise<T | undefined>;
  set<T>(namespace: string, key: string, value: T): Promise<void>;
  /**
   * Sets `key` only when it has no value; resolves true when this call set it. Atomic across every process sharing
   * the store: of calls racing for one key, exactly one resolves true (runtime role grants: one entry per grant).
   */
  setIfAbsent<T>(namespace: string, key: string, value: T): Promise<boolean>;
  /** Deletes `key`; resolves true when this call removed a value (of calls racing for one key, at most one does). */
  delete(namespace: string, key: string): Promise<boolean>;
  /** Entries of a namespace whose key starts with `prefix`, sorted by key. */
  list<T>(namespace: string, prefix?: string): Promise<Array<[key: string, value: T]>>;
  /** Takes the lock unless someone else holds an unexpired one. */
  acquireLock(request: LockRequest): Promise<LockResult>;
  /** Releases a lock; with `owner`, only when that owner holds it. Returns whether a lock was released. */
  releaseLock(name: string, owner?: string): Promise<boolean>;
  /** Unexpired locks, sorted by name. */
  listLocks(): Promise<Lock[]>;
  /**
   * Claims occurrence `at` of the recurring thing `name` (a schedule's due time) for `owner`; resolves true when this
   * call made the claim. Atomic across every process sharing the store: for one (name, at) at most one call ever
   * returns true, and once an occurrence of `name` is claimed, claims of it or of any earlier one return false
   * (claims only move forward). One record per name is kept: the latest occurrence claimed and its owner.
   */
  claimOccurrence(name: string, at: Date, owner: string): Promise<boolean>;
  /**
   * Present on a store shared by several instances (store-postgres): jobs waiting for approval are rows too, so any
   * instance can take `approve <id>` and the job still runs once, on the instance that holds it.
   */
  readonly approvals?: ApprovalRows;
  /**
   * Present on a store shared by several instances (store-postgres): tells this instance when another (or this one)
   * changed a namespace, so what it keeps in memory (runtime role grants) follows at once, without a restart.
   */
  readonly changes?: StoreChanges;
  close?(): Promise<void>;
}

/**
 * Being told that a namespace changed: an optional capability of a {@link Store} shared by several instances. A
 * notice is only a hint (it can be missed while the channel reconnects): a watcher reads what it needs again from
 * the store, and `changed` is also called after every (re)connect of the channel and once the watch is in place.
 * Decisions that must not use a stale view read the store itself.
 */
export interface StoreChanges {
  /** Calls `changed()` soon after a write to `namespace` commits, on any instance. Returns the stop. */
  watch(namespace: string, changed: () => void): () => void;
}
