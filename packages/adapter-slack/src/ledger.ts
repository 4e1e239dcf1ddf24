/**
 * The ledger of handled deliveries: Slack redelivers envelopes and events it thinks were lost (unacknowledged,
 * retried over HTTP, sent again after a reconnect), and a message and its `app_mention` arrive as two events.
 * Each delivery is claimed by its keys before it is acted on, so nothing runs twice.
 * @module
 */

/** A bounded set of recently claimed keys (the oldest are forgotten first). */
export class Ledger {
  readonly #keys = new Set<string>();

  constructor(
    /** How many keys are remembered; Slack retries within minutes, so a few thousand cover a busy workspace. */
    readonly capacity = 20_000,
  ) {}

  has(key: string): boolean {
    return this.#keys.has(key);
  }

  /**
   * Claims every key at once. Returns false (and claims nothing new) when any of them was claimed before: the
   * delivery is a repeat and must not be acted on.
   */
  claim(...keys: Array<string | undefined>): boolean {
    const present = keys.filter((k): k is string => typeof k === "string" && k.length > 0);
    if (present.some((k) => this.#keys.has(k))) return false;
    for (const key of present) this.#keys.add(key);
    while (this.#keys.size > this.capacity) this.#keys.delete(this.#keys.values().next().value as string);
    return true;
  }

  get size(): number {
    return this.#keys.size;
  }
}
