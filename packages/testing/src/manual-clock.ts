/**
 * A clock that moves only when a test moves it, for schedules at any date and across DST changes.
 * @module
 */
import type { Clock } from "@switchboard/core/app";

interface Pending {
  at: number;
  callback: () => void;
}

/** A {@link Clock} set and advanced by the test; timers fire, in order, as it passes their time. */
export class ManualClock implements Clock {
  #now: number;
  #timers = new Set<Pending>();

  constructor(start: Date | string) {
    this.#now = new Date(start).getTime();
  }

  now(): number {
    return this.#now;
  }

  after(ms: number, callback: () => void): () => void {
    const pending: Pending = { at: this.#now + Math.max(0, ms), callback };
    this.#timers.add(pending);
    return () => this.#timers.delete(pending);
  }

  /** Moves the clock to `time` (never backwards), firing every timer due by then in order of due time. */
  set(time: Date | string): void {
    const target = new Date(time).getTime();
    if (target < this.#now) throw new RangeError("a manual clock does not go backwards");
    for (;;) {
      const due = [...this.#timers].filter((t) => t.at <= target).sort((a, b) => a.at - b.at)[0];
      if (!due) break;
      this.#timers.delete(due);
      this.#now = Math.max(this.#now, due.at);
      due.callback();
    }
    this.#now = target;
  }

  /** Moves the clock forward by `ms`. */
  advance(ms: number): void {
    this.set(new Date(this.#now + ms));
  }

  /** When the next timer fires (undefined when none waits). */
  nextTimer(): number | undefined {
    let next: number | undefined;
    for (const t of this.#timers) if (next === undefined || t.at < next) next = t.at;
    return next;
  }

  /** How many timers are waiting. */
  get pending(): number {
    return this.#timers.size;
  }
}
