/**
 * Reconnect delays: exponential backoff with jitter, so a restarted server or service is not hit by every bot at once.
 * @module
 */

/** Backoff settings (milliseconds). */
export interface BackoffOptions {
  initialDelayMs: number;
  maxDelayMs: number;
}

/**
 * The delay before reconnect attempt `attempt` (1 for the first): `initial · 2^(attempt-1)`, capped at `max`,
 * then scaled by a random factor between 0.5 and 1 ("equal jitter": never less than half the backoff).
 */
export function backoffDelay(attempt: number, options: BackoffOptions, random: () => number = Math.random): number {
  const exponent = Math.min(Math.max(attempt - 1, 0), 30);
  const capped = Math.min(options.maxDelayMs, options.initialDelayMs * 2 ** exponent);
  return Math.round(capped / 2 + (capped / 2) * random());
}
