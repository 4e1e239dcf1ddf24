/**
 * Core's {@link StoreChanges} on PostgreSQL: an instance is told when a `kv` namespace it watches changes, whichever
 * instance wrote it. The write's own transaction sends the NOTIFY (a trigger, see kv-changes-schema.ts), so the
 * notice arrives only once the change is visible. One dedicated LISTEN connection per instance (a
 * {@link NoticeListener}); NOTIFY is a hint:
 * after each (re)connect every watcher is told to read again (anything said while nobody listened is covered), and
 * once a watch is in place (a write made before the trigger knew of the namespace is covered too).
 * @module
 */
import type { StoreChanges } from "@switchboard/core";
import type pg from "pg";
import type { ConnectOptions } from "./connect.js";
import { KV_CHANNEL } from "./kv-changes-schema.js";
import { NoticeListener } from "./notice-listener.js";

/** Options for {@link PostgresStoreChanges}. */
export interface StoreChangesOptions {
  pool: pg.Pool;
  /** For the dedicated LISTEN connection. */
  connect: ConnectOptions;
  /** Called with connection and read errors (the connection is opened again after a second). */
  onError?: (error: unknown) => void;
}

/** Longest namespace watched (its encoding is the NOTIFY payload, which must stay under 8,000 bytes). */
const MAX_NAMESPACE = 200;

/** Namespaces are stored JSON-encoded in `kv` (see postgres-store.ts). */
const encode = (namespace: string): string => JSON.stringify(namespace);

/** Store changes through LISTEN/NOTIFY (see the module comment). */
export class PostgresStoreChanges implements StoreChanges {
  readonly #options: StoreChangesOptions;
  /** Encoded namespace → its watchers. */
  readonly #watchers = new Map<string, Set<() => void>>();
  readonly #listener: NoticeListener;

  constructor(options: StoreChangesOptions) {
    this.#options = options;
    this.#listener = new NoticeListener({
      connect: options.connect,
      channel: KV_CHANNEL,
      onNotice: (payload) => this.#tell(payload),
      // Whatever changed while nobody listened: every watcher reads again (after registering its namespace again,
      // in case that failed before).
      onListening: () => void this.#register([...this.#watchers.keys()]).finally(() => this.#tell(undefined)),
      ...(options.onError ? { onError: options.onError } : {}),
    });
  }

  watch(namespace: string, changed: () => void): () => void {
    if (namespace.length > MAX_NAMESPACE)
      throw new RangeError(`a watched namespace has at most ${MAX_NAMESPACE} characters`);
    const key = encode(namespace);
    let set = this.#watchers.get(key);
    if (!set) {
      set = new Set();
      this.#watchers.set(key, set);
    }
    set.add(changed);
    // The trigger notifies only for namespaces in kv_watched; once this one is there, read once (a write made
    // before it was cannot have notified).
    void this.#register([key]).then(() => this.#tell(key));
    this.#listener.start();
    return () => set.delete(changed);
  }

  /** Closes the LISTEN connection. Idempotent. */
  async close(): Promise<void> {
    await this.#listener.close();
  }

  /** Adds encoded namespaces to `kv_watched` (the trigger notifies for those only). Errors go to `onError`. */
  async #register(keys: string[]): Promise<void> {
    if (keys.length === 0) return;
    await this.#options.pool
      .query("INSERT INTO kv_watched (namespace) SELECT unnest($1::text[]) ON CONFLICT DO NOTHING", [keys])
      .then(
        () => {},
        (error: unknown) => this.#options.onError?.(error),
      );
  }

  /** Tells the watchers of one encoded namespace, or of every namespace. */
  #tell(key: string | undefined): void {
    const sets = key === undefined ? [...this.#watchers.values()] : [this.#watchers.get(key) ?? new Set()];
    for (const set of sets)
      for (const changed of set) {
        try {
          changed();
        } catch (error) {
          this.#options.onError?.(error);
        }
      }
  }
}
