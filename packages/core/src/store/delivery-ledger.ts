/**
 * Webhook deliveries seen recently, kept in a store so a restart does not forget them: a replayed delivery (the same
 * id, or the same signed bytes under a fresh id) is refused, by the HTTP endpoint and by plugins' routes alike.
 * @module
 */
import { createHash } from "node:crypto";
import type { Store } from "./store.js";

/**
 * Delivery ids and body digests seen recently (kept in the store, so a restart does not forget them). {@link claim}
 * is atomic within the process: two copies of one delivery arriving together post once. A delivery is claimed under
 * several keys at once (its id and the digest of its signed bytes): it is new only when every key is.
 */
export class DeliveryLedger {
  readonly #inFlight = new Set<string>();
  #lastPurge = 0;

  constructor(
    private readonly store: Store,
    private readonly namespace: string,
    private readonly keepMs: number,
  ) {}

  /**
   * True when every key is new (and now all taken); false when any was seen within the keep time or is being
   * handled (then none is taken).
   */
  async claim(...keys: string[]): Promise<boolean> {
    if (keys.some((key) => this.#inFlight.has(key))) return false;
    for (const key of keys) this.#inFlight.add(key);
    try {
      for (const key of keys) {
        const seen = await this.store.get<{ at: number }>(this.namespace, key);
        if (seen && Date.now() - seen.at < this.keepMs) {
          this.release(...keys);
          return false;
        }
      }
    } catch (error) {
      this.release(...keys);
      throw error;
    }
    return true;
  }

  /** Remembers claimed keys (after the delivery was handled). */
  async commit(...keys: string[]): Promise<void> {
    try {
      for (const key of keys) await this.store.set(this.namespace, key, { at: Date.now() });
    } finally {
      this.release(...keys);
    }
    await this.#purgeOld();
  }

  /** Forgets claimed keys of a delivery that failed, so the sender's retry is handled. */
  release(...keys: string[]): void {
    for (const key of keys) this.#inFlight.delete(key);
  }

  /** Removes expired keys, at most once an hour. */
  async #purgeOld(): Promise<void> {
    const now = Date.now();
    if (now - this.#lastPurge < 3_600_000) return;
    this.#lastPurge = now;
    for (const [id, value] of await this.store.list<{ at: number }>(this.namespace)) {
      if (now - value.at >= this.keepMs) await this.store.delete(this.namespace, id);
    }
  }
}

/** The ledger key of a delivery's signed bytes: `sha256:<hex>`, so that a replay under a fresh id is caught too. */
export function digestKey(signed: Buffer | string): string {
  return `sha256:${createHash("sha256").update(signed).digest("hex")}`;
}
