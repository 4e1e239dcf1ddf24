/**
 * The per-channel send queue: everything the bot posts to a channel (messages, edits, uploads, ephemeral notes)
 * goes out in the order it was queued, at about one per second per channel with short bursts allowed (Slack's
 * posting limit). Channels do not wait for each other. 429 answers are retried by the Web API client itself.
 * @module
 */
import { TokenBucket } from "@switchboard/core";

/** Pace of one channel. */
export interface ChannelPace {
  /** Sends allowed at once. */
  burst: number;
  /** One more send per this many milliseconds. */
  intervalMs: number;
}

interface Lane {
  bucket: TokenBucket;
  tail: Promise<unknown>;
  waiting: number;
}

/** Runs send tasks per channel: in order, paced. */
export class ChannelQueue {
  readonly #lanes = new Map<string, Lane>();
  readonly #pending = new Set<Promise<unknown>>();

  constructor(private readonly pace: ChannelPace) {}

  /** Queues `task` for `channel`; resolves or rejects with it. A failed task does not stop the ones after it. */
  run<T>(channel: string, task: () => Promise<T>): Promise<T> {
    let lane = this.#lanes.get(channel);
    if (!lane) {
      lane = { bucket: new TokenBucket(this.pace.burst, this.pace.intervalMs), tail: Promise.resolve(), waiting: 0 };
      this.#lanes.set(channel, lane);
    }
    const current = lane;
    current.waiting += 1;
    const result = current.tail.then(async () => {
      for (let wait = current.bucket.waitMs(); wait > 0; wait = current.bucket.waitMs()) {
        await new Promise((resolve) => setTimeout(resolve, wait));
      }
      current.bucket.tryTake();
      return task();
    });
    current.tail = result.catch(() => {});
    this.#pending.add(result);
    void result
      .catch(() => {})
      .finally(() => {
        this.#pending.delete(result);
        current.waiting -= 1;
        // An idle lane whose bucket has refilled carries no state worth keeping.
        if (current.waiting === 0)
          setTimeout(() => this.#forget(channel, current), this.pace.intervalMs * this.pace.burst).unref();
      });
    return result;
  }

  #forget(channel: string, lane: Lane): void {
    if (lane.waiting === 0 && this.#lanes.get(channel) === lane && lane.bucket.full) this.#lanes.delete(channel);
  }

  /** Resolves when nothing is queued or being sent. */
  async idle(): Promise<void> {
    while (this.#pending.size) await Promise.allSettled([...this.#pending]);
  }

  /** Channels with state (for tests: lanes are forgotten when idle). */
  get lanes(): number {
    return this.#lanes.size;
  }
}
