/**
 * The clock the scheduler reads and sleeps on: the system's by default, a manual one in tests (see
 * `ManualClock` in `@switchboard/testing`), so time zones and DST changes can be tested at any date.
 * @module
 */

/** Reads the time and calls back later. */
export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
  /** Calls `callback` once, `ms` from now by this clock; returns a function that cancels it. */
  after(ms: number, callback: () => void): () => void;
}

/** The system clock; its timers do not keep the process alive. */
export const systemClock: Clock = {
  now: () => Date.now(),
  after(ms, callback) {
    const timer = setTimeout(callback, Math.max(0, Math.min(ms, 2 ** 31 - 1)));
    timer.unref();
    return () => clearTimeout(timer);
  },
};
