import type { Lock, LockRequest, LockResult, Store } from "./store.js";

/** A {@link Store} in memory: for tests, benchmarks and embedding. Values are deep-copied through JSON. */
export class MemoryStore implements Store {
  readonly #data = new Map<string, Map<string, string>>();
  readonly #locks = new Map<string, Lock>();
  readonly #claims = new Map<string, { at: number; owner: string }>();

  async get<T>(namespace: string, key: string): Promise<T | undefined> {
    const raw = this.#data.get(namespace)?.get(key);
    return raw === undefined ? undefined : (JSON.parse(raw) as T);
  }

  async set<T>(namespace: string, key: string, value: T): Promise<void> {
    this.#put(namespace, key, value);
  }

  async setIfAbsent<T>(namespace: string, key: string, value: T): Promise<boolean> {
    // Checked and written in one synchronous step: no other call runs in between.
    if (this.#data.get(namespace)?.has(key)) return false;
    this.#put(namespace, key, value);
    return true;
  }

  #put(namespace: string, key: string, value: unknown): void {
    if (value === undefined) throw new TypeError(`store.set(${namespace}, ${key}): value is undefined (use delete)`);
    const json = JSON.stringify(value);
    if (json === undefined) throw new TypeError(`store.set(${namespace}, ${key}): the value has no JSON encoding`);
    let ns = this.#data.get(namespace);
    if (!ns) {
      ns = new Map();
      this.#data.set(namespace, ns);
    }
    ns.set(key, json);
  }

  async delete(namespace: string, key: string): Promise<boolean> {
    return this.#data.get(namespace)?.delete(key) ?? false;
  }

  async list<T>(namespace: string, prefix = ""): Promise<Array<[string, T]>> {
    const ns = this.#data.get(namespace);
    if (!ns) return [];
    return [...ns.entries()]
      .filter(([k]) => k.startsWith(prefix))
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([k, v]) => [k, JSON.parse(v) as T]);
  }

  async acquireLock(request: LockRequest): Promise<LockResult> {
    if (!Number.isFinite(request.ttlMs) || request.ttlMs <= 0)
      throw new RangeError(`lock ${request.name}: ttlMs must be a positive number`);
    const now = new Date();
    const held = this.#locks.get(request.name);
    if (held && held.expiresAt > now && held.owner !== request.owner) return { acquired: false, holder: { ...held } };
    const lock: Lock = {
      name: request.name,
      owner: request.owner,
      reason: request.reason,
      acquiredAt: held && held.owner === request.owner && held.expiresAt > now ? held.acquiredAt : now,
      expiresAt: new Date(now.getTime() + request.ttlMs),
    };
    this.#locks.set(request.name, lock);
    return { acquired: true, lock: { ...lock } };
  }

  async releaseLock(name: string, owner?: string): Promise<boolean> {
    const held = this.#locks.get(name);
    if (!held || held.expiresAt <= new Date()) return false;
    if (owner !== undefined && held.owner !== owner) return false;
    return this.#locks.delete(name);
  }

  async listLocks(): Promise<Lock[]> {
    const now = new Date();
    return [...this.#locks.values()]
      .filter((l) => l.expiresAt > now)
      .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
      .map((l) => ({ ...l }));
  }

  async claimOccurrence(name: string, at: Date, owner: string): Promise<boolean> {
    const time = at.getTime();
    if (Number.isNaN(time)) throw new RangeError(`claim ${name}: not a date`);
    const held = this.#claims.get(name);
    if (held && held.at >= time) return false;
    this.#claims.set(name, { at: time, owner });
    return true;
  }
}
