/**
 * A token bucket: up to `burst` at once, then one more every `intervalMs`. Adapters pace what they send with it
 * (IRC flood control, Slack's per-channel rate).
 * @module
 */

/** Counts what may go now. The clock is injectable so the arithmetic can be checked without waiting. */
export class TokenBucket {
  #tokens: number;
  #last: number;

  constructor(
    readonly burst: number,
    readonly intervalMs: number,
    private readonly now: () => number = Date.now,
  ) {
    this.#tokens = burst;
    this.#last = now();
  }

  #refill(): void {
    const now = this.now();
    this.#tokens = Math.min(this.burst, this.#tokens + (now - this.#last) / this.intervalMs);
    this.#last = now;
  }

  /** Takes one token if there is one. */
  tryTake(): boolean {
    this.#refill();
    if (this.#tokens < 1) return false;
    this.#tokens -= 1;
    return true;
  }

  /** Takes `n` tokens whatever the balance (for what had to go out at once); the bucket may go negative. */
  charge(n = 1): void {
    this.#refill();
    this.#tokens -= n;
  }

  /** Milliseconds until a token is available (0 if one is). */
  waitMs(): number {
    this.#refill();
    return this.#tokens >= 1 ? 0 : Math.ceil((1 - this.#tokens) * this.intervalMs);
  }

  /** True when the bucket is full (nothing taken recently): the bucket can be forgotten. */
  get full(): boolean {
    this.#refill();
    return this.#tokens >= this.burst;
  }
}
