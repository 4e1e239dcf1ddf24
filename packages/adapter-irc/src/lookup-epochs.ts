/**
 * Nick changes seen while an account lookup for that nick is in flight. Only nicks with a lookup in flight are
 * remembered (so the memory is bounded by the lookups, and nothing is ever forgotten while one waits).
 * @module
 */

interface Watch {
  lookups: number;
  changes: number;
}

/** Keys are case-folded nicks (the caller folds). */
export class LookupEpochs {
  readonly #watched = new Map<string, Watch>();

  /** A lookup for `key` starts; call the returned function when its answer arrives: true if the nick changed meanwhile. */
  begin(key: string): () => boolean {
    let watch = this.#watched.get(key);
    if (!watch) {
      watch = { lookups: 0, changes: 0 };
      this.#watched.set(key, watch);
    }
    watch.lookups++;
    const seen = watch.changes;
    const current = watch;
    let ended = false;
    return () => {
      if (!ended) {
        ended = true;
        if (--current.lookups === 0) this.#watched.delete(key);
      }
      return current.changes !== seen;
    };
  }

  /** The nick changed (either side of a NICK) or quit. */
  changed(key: string): void {
    const watch = this.#watched.get(key);
    if (watch) watch.changes++;
  }

  /** Nicks with a lookup in flight (for tests and metrics). */
  get size(): number {
    return this.#watched.size;
  }
}
