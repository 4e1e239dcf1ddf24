/**
 * Seen nonces, each kept until its request's timestamp could no longer pass the clock-skew check: a replay inside
 * the window is refused, and memory stays bounded by the number of authentic requests in one window.
 * @module
 */

/** Remembers nonces until they expire. */
export class NonceCache {
  readonly #seen = new Map<string, number>();

  /** Records `nonce` until `expiresAt` (ms). Returns false when it was already recorded and has not expired. */
  remember(nonce: string, expiresAt: number, now: number): boolean {
    this.#prune(now);
    const until = this.#seen.get(nonce);
    if (until !== undefined && until > now) return false;
    this.#seen.set(nonce, expiresAt);
    return true;
  }

  /** How many nonces are held. */
  get size(): number {
    return this.#seen.size;
  }

  /** Drops expired nonces. Entries are in insertion order, and expiries nearly so; stop at the first live one. */
  #prune(now: number): void {
    for (const [nonce, until] of this.#seen) {
      if (until > now) break;
      this.#seen.delete(nonce);
    }
  }
}
