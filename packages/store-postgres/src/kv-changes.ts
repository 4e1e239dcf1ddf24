/**
 * Core's {@link StoreChanges} on PostgreSQL: an instance is told when a `kv` namespace it watches changes, whichever
 * instance wrote it. The write's own transaction sends the NOTIFY (a trigger, see kv-changes-schema.ts), so the
 * notice arrives only once the change is visible. One dedicated LISTEN connection per instance; NOTIFY is a hint:
 * after each (re)connect every watcher is told to read again (anything said while nobody listened is covered), and
 * once a watch is in place (a write made before the trigger knew of the namespace is covered too).
 * @module
 */
import type { StoreChanges } from "@switchboard/core";
import type pg from "pg";
import { type ConnectOptions, connectClient } from "./connect.js";
import { KV_CHANNEL } from "./kv-changes-schema.js";

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
  #client: pg.Client | undefined;
  #connecting = false;
  #closed = false;
  #retry: NodeJS.Timeout | undefined;

  constructor(options: StoreChangesOptions) {
    this.#options = options;
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
    this.#pool()
      .query("INSERT INTO kv_watched (namespace) VALUES ($1) ON CONFLICT DO NOTHING", [key])
      .then(
        () => this.#tell(key),
        (error: unknown) => this.#options.onError?.(error),
      );
    if (!this.#client && !this.#connecting) void this.#listen();
    return () => set.delete(changed);
  }

  /** Whether the LISTEN connection is up (for tests and status). */
  get listening(): boolean {
    return this.#client !== undefined;
  }

  /** Closes the LISTEN connection. Idempotent. */
  async close(): Promise<void> {
    this.#closed = true;
    clearTimeout(this.#retry);
    const client = this.#client;
    this.#client = undefined;
    await client?.end().catch(() => {});
  }

  #pool(): pg.Pool {
    return this.#options.pool;
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

  async #listen(): Promise<void> {
    this.#connecting = true;
    try {
      const client = await connectClient(this.#options.connect);
      if (this.#closed) {
        await client.end().catch(() => {});
        return;
      }
      client.on("notification", (message) => {
        if (message.channel === KV_CHANNEL && message.payload !== undefined) this.#tell(message.payload);
      });
      client.on("error", (error) => {
        this.#options.onError?.(error);
        this.#reconnect();
      });
      client.on("end", () => this.#reconnect());
      await client.query(`LISTEN ${KV_CHANNEL}`);
      this.#client = client;
      // Whatever changed while nobody listened: every watcher reads again.
      this.#tell(undefined);
    } catch (error) {
      this.#options.onError?.(error);
      this.#reconnect();
    } finally {
      this.#connecting = false;
    }
  }

  #reconnect(): void {
    if (this.#closed || this.#retry) return;
    this.#client = undefined;
    this.#retry = setTimeout(() => {
      this.#retry = undefined;
      void this.#listen();
    }, 1000);
    this.#retry.unref?.();
  }
}
