/**
 * Persistence for IndexedDB in Node: matrix-js-sdk keeps its Rust crypto store (and our sync store) in IndexedDB,
 * which Node lacks. We use fake-indexeddb (in memory) and snapshot every database to one value of the adapter's
 * state store (a file by default, a sealed PostgreSQL row with several instances) after writes and before every
 * outgoing HTTP request, so that nothing the homeserver was told about (a one-time key, a room key acknowledged by
 * `/sync`) is lost in a crash. The snapshot is restored before the client starts.
 * @module
 */
import { deserialize, serialize } from "node:v8";
import type { AdapterStateStore } from "@switchboard/core";
import * as fake from "fake-indexeddb";

/* Minimal structural types: the package builds without the DOM library. */
interface Req<T> {
  result: T;
  error: unknown;
  onsuccess: (() => void) | null;
  onerror: (() => void) | null;
}
interface OpenReq extends Req<Db> {
  onupgradeneeded: (() => void) | null;
  transaction: unknown;
}
interface ObjectStore {
  name: string;
  keyPath: string | string[] | null;
  autoIncrement: boolean;
  indexNames: ArrayLike<string>;
  index(name: string): { name: string; keyPath: string | string[]; unique: boolean; multiEntry: boolean };
  getAll(): Req<unknown[]>;
  getAllKeys(): Req<unknown[]>;
  put(value: unknown, key?: unknown): Req<unknown>;
  createIndex(name: string, keyPath: string | string[], options: { unique: boolean; multiEntry: boolean }): void;
}
interface Tx {
  objectStore(name: string): ObjectStore;
  oncomplete: (() => void) | null;
  onerror: (() => void) | null;
  onabort: (() => void) | null;
}
interface Db {
  name: string;
  version: number;
  objectStoreNames: ArrayLike<string>;
  transaction(names: string | string[], mode?: string): Tx;
  createObjectStore(
    name: string,
    options: { keyPath?: string | string[] | null; autoIncrement?: boolean },
  ): ObjectStore;
  close(): void;
}
/** The part of an IndexedDB factory used here. */
export interface Factory {
  open(name: string, version?: number): OpenReq;
  databases(): Promise<Array<{ name?: string; version?: number }>>;
}

interface StoreDump {
  name: string;
  keyPath: string | string[] | null;
  autoIncrement: boolean;
  indexes: Array<{ name: string; keyPath: string | string[]; unique: boolean; multiEntry: boolean }>;
  keys: unknown[];
  values: unknown[];
}
interface DbDump {
  name: string;
  version: number;
  stores: StoreDump[];
}

const listeners = new Set<() => void>();
let patched = false;

/** Every readwrite transaction on any fake database marks the snapshots dirty (before it runs). */
function patchTransactions(): void {
  if (patched) return;
  patched = true;
  const proto = (fake.IDBDatabase as unknown as { prototype: Db }).prototype;
  const original = proto.transaction;
  proto.transaction = function (this: Db, names: string | string[], mode?: string, ...rest: unknown[]) {
    if (mode === "readwrite") for (const listener of listeners) listener();
    return (original as (...args: unknown[]) => Tx).call(this, names, mode, ...rest);
  };
}

function request<T>(req: Req<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
}

function done(tx: Tx): Promise<void> {
  return new Promise((resolve, reject) => {
    tx.oncomplete = () => resolve();
    tx.onerror = () => reject(new Error("IndexedDB transaction failed"));
    tx.onabort = () => reject(new Error("IndexedDB transaction aborted"));
  });
}

/** The name of the snapshot in the state store. */
const SNAPSHOT = "store";

/** One in-memory IndexedDB, persisted as one snapshot in a state store. */
export class IdbSnapshot {
  readonly factory: Factory = new (fake.IDBFactory as unknown as new () => Factory)();
  #dirty = false;
  #timer: NodeJS.Timeout | undefined;
  #chain: Promise<void> = Promise.resolve();
  readonly #onDirty = () => this.#markDirty();

  constructor(
    readonly state: AdapterStateStore,
    private readonly onError: (error: unknown) => void,
    /** Debounce of the flush after a write, in ms. */
    private readonly delayMs = 250,
  ) {}

  /** Makes this factory the global `indexedDB` (the Rust crypto opens its store through the global). */
  install(): void {
    patchTransactions();
    listeners.add(this.#onDirty);
    const g = globalThis as Record<string, unknown>;
    g.indexedDB = this.factory;
    g.IDBKeyRange = fake.IDBKeyRange;
  }

  /** Stops tracking writes (after a final {@link flush}). */
  uninstall(): void {
    listeners.delete(this.#onDirty);
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  /** True when a snapshot is kept. */
  async exists(): Promise<boolean> {
    return (await this.state.read(SNAPSHOT)) !== undefined;
  }

  /** Forgets the kept snapshot (its device is gone). */
  async discard(): Promise<void> {
    await this.state.remove(SNAPSHOT);
  }

  /** Recreates every database of the kept snapshot. */
  async restore(): Promise<void> {
    const bytes = await this.state.read(SNAPSHOT);
    if (!bytes) return;
    const dumps = deserialize(bytes) as DbDump[];
    for (const dump of dumps) {
      const req = this.factory.open(dump.name, dump.version);
      req.onupgradeneeded = () => {
        const db = req.result;
        for (const s of dump.stores) {
          const store = db.createObjectStore(s.name, { keyPath: s.keyPath, autoIncrement: s.autoIncrement });
          for (const index of s.indexes) {
            store.createIndex(index.name, index.keyPath, { unique: index.unique, multiEntry: index.multiEntry });
          }
        }
      };
      const db = await request(req);
      const names = dump.stores.map((s) => s.name);
      if (names.length) {
        const tx = db.transaction(names, "readwrite");
        for (const s of dump.stores) {
          const store = tx.objectStore(s.name);
          s.values.forEach((value, i) => {
            if (s.keyPath === null) store.put(value, s.keys[i]);
            else store.put(value);
          });
        }
        await done(tx);
      }
      db.close();
    }
    this.#dirty = false;
  }

  #markDirty(): void {
    this.#dirty = true;
    if (this.#timer) return;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      void this.flush().catch(this.onError);
    }, this.delayMs);
    this.#timer.unref?.();
  }

  /** Writes the snapshot now if anything changed (serialised with other flushes). */
  flush(): Promise<void> {
    this.#chain = this.#chain.then(async () => {
      if (!this.#dirty) return;
      this.#dirty = false;
      try {
        await this.state.write(SNAPSHOT, serialize(await this.#dump()));
      } catch (error) {
        this.#dirty = true;
        throw error;
      }
    });
    return this.#chain;
  }

  async #dump(): Promise<DbDump[]> {
    const dumps: DbDump[] = [];
    for (const info of await this.factory.databases()) {
      if (!info.name) continue;
      const db = await request(this.factory.open(info.name));
      const names = Array.from(db.objectStoreNames);
      const stores: StoreDump[] = [];
      if (names.length) {
        const tx = db.transaction(names, "readonly");
        const finished = done(tx);
        const reads = names.map(async (name) => {
          const store = tx.objectStore(name);
          const [keys, values] = await Promise.all([request(store.getAllKeys()), request(store.getAll())]);
          const indexes = Array.from(store.indexNames).map((n) => {
            const index = store.index(n);
            return { name: index.name, keyPath: index.keyPath, unique: index.unique, multiEntry: index.multiEntry };
          });
          return { name, keyPath: store.keyPath, autoIncrement: store.autoIncrement, indexes, keys, values };
        });
        stores.push(...(await Promise.all(reads)));
        await finished;
      }
      dumps.push({ name: db.name, version: db.version, stores });
      db.close();
    }
    return dumps;
  }
}
