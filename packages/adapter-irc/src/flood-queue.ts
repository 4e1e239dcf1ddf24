/**
 * The outgoing line queue: every PRIVMSG/NOTICE the bot sends waits here for a token of the {@link TokenBucket}.
 * Each target has its own FIFO (so its lines keep their order) and targets take turns line by line (so a long
 * answer to one person does not hold up a short one in another room).
 * @module
 */
import type { TokenBucket } from "@switchboard/core";

/** One line to send. */
export interface OutLine {
  command: "PRIVMSG" | "NOTICE";
  target: string;
  text: string;
  /** Client tags, e.g. `+draft/reply`. */
  tags?: Record<string, string>;
  /** Set on a line that stands for this many progress lines left out (see the progress coalescer). */
  skipped?: number;
}

/** Merges waiting lines with newer ones of the same kind (job progress), returning what should wait instead. */
export type Coalesce = (waiting: OutLine[], newer: OutLine[]) => OutLine[];

interface Entry {
  lines: OutLine[];
  /** Sent only while no other target has lines waiting (the private rest of a capped reply). */
  background: boolean;
  /** Entries with the same key that are still waiting untouched are merged (see {@link Coalesce}). */
  key?: string;
  coalesce?: Coalesce;
  started: boolean;
  /** When it was queued (for dropping the oldest progress first). */
  seq: number;
}

/** What the queue needs from the connection. */
export interface FloodQueueOptions {
  bucket: TokenBucket;
  /**
   * Lines kept waiting at most; beyond that the oldest job progress goes first (it is summarised anyway), then the
   * oldest lines of the longest queue.
   */
  maxQueuedLines: number;
  /** Whether lines can be written now (registered, and channels rejoined). */
  canSend(): boolean;
  /** Writes one line to the server. */
  write(line: OutLine): void;
  /** Told when lines are dropped because too many were waiting. */
  onDrop?(target: string, count: number): void;
}

/** A rate-limited, per-target ordered, round-robin line queue. */
export class FloodQueue {
  readonly #queues = new Map<string, Entry[]>();
  /** Targets with waiting lines, in turn order. */
  #turns: string[] = [];
  #next = 0;
  #size = 0;
  #seq = 0;
  #timer: NodeJS.Timeout | undefined;
  #drainWaiters: Array<() => void> = [];

  constructor(private readonly options: FloodQueueOptions) {}

  /** Lines waiting. */
  get size(): number {
    return this.#size;
  }

  /**
   * Queues lines for one target (`key` identifies the target; use the case-folded name). With `merge`, an
   * untouched waiting entry with the same `mergeKey` absorbs the new lines instead of queueing more. `background`
   * lines wait while other targets have ordinary lines waiting (a target's lines still go out in order).
   */
  push(
    key: string,
    lines: OutLine[],
    options: { merge?: { mergeKey: string; coalesce: Coalesce }; background?: boolean } = {},
  ): void {
    const { merge } = options;
    if (lines.length === 0) return;
    let queue = this.#queues.get(key);
    if (!queue) {
      queue = [];
      this.#queues.set(key, queue);
      this.#turns.push(key);
    }
    const waiting = merge && queue.find((e) => e.key === merge.mergeKey && !e.started);
    if (waiting && merge) {
      this.#size -= waiting.lines.length;
      waiting.lines = merge.coalesce(waiting.lines, lines);
      this.#size += waiting.lines.length;
    } else {
      queue.push({
        lines: [...lines],
        background: options.background === true,
        started: false,
        seq: this.#seq++,
        ...(merge ? { key: merge.mergeKey, coalesce: merge.coalesce } : {}),
      });
      this.#size += lines.length;
    }
    this.#trim();
    this.pump();
  }

  /** While more than the limit wait: drops the oldest job progress, then the oldest lines of the longest queue. */
  #trim(): void {
    if (this.#size <= this.options.maxQueuedLines) return;
    this.#dropProgress();
    while (this.#size > this.options.maxQueuedLines) {
      let longest: string | undefined;
      let longestSize = 0;
      for (const [key, queue] of this.#queues) {
        const size = queue.reduce((n, e) => n + e.lines.length, 0);
        if (size > longestSize) {
          longest = key;
          longestSize = size;
        }
      }
      if (!longest) return;
      const queue = this.#queues.get(longest)!;
      const excess = Math.min(this.#size - this.options.maxQueuedLines, longestSize);
      let dropped = 0;
      while (dropped < excess && queue.length > 0) {
        const entry = queue[0]!;
        const take = Math.min(excess - dropped, entry.lines.length);
        entry.lines.splice(0, take);
        dropped += take;
        if (entry.lines.length === 0) queue.shift();
      }
      this.#size -= dropped;
      if (queue.length === 0) this.#removeTarget(longest);
      this.options.onDrop?.(longest, dropped);
    }
  }

  /** Drops waiting progress lines, oldest entry first, until the limit holds or no progress waits. */
  #dropProgress(): void {
    const progress: Array<{ key: string; entry: Entry }> = [];
    for (const [key, queue] of this.#queues)
      for (const entry of queue) if (entry.coalesce) progress.push({ key, entry });
    progress.sort((a, b) => a.entry.seq - b.entry.seq);
    for (const { key, entry } of progress) {
      const excess = this.#size - this.options.maxQueuedLines;
      if (excess <= 0) return;
      const dropped = entry.lines.splice(0, Math.min(excess, entry.lines.length)).length;
      this.#size -= dropped;
      if (entry.lines.length === 0) {
        const queue = this.#queues.get(key)!;
        queue.splice(queue.indexOf(entry), 1);
        if (queue.length === 0) this.#removeTarget(key);
      }
      this.options.onDrop?.(key, dropped);
    }
  }

  #removeTarget(key: string): void {
    this.#queues.delete(key);
    const at = this.#turns.indexOf(key);
    if (at >= 0) {
      this.#turns.splice(at, 1);
      if (at < this.#next) this.#next -= 1;
    }
  }

  /** Sends what the bucket allows now, and schedules the rest. Call again when sending becomes possible. */
  pump(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    while (this.#size > 0 && this.options.canSend()) {
      const wait = this.options.bucket.waitMs();
      if (wait > 0) {
        this.#timer = setTimeout(() => {
          this.#timer = undefined;
          this.pump();
        }, wait);
        return;
      }
      this.options.bucket.tryTake();
      this.#sendOne();
    }
    if (this.#size === 0) this.#notifyDrained();
  }

  #sendOne(): void {
    if (this.#next >= this.#turns.length) this.#next = 0;
    // The next target in turn whose first waiting entry is not background; if all are background, the next one.
    const count = this.#turns.length;
    for (let i = 0; i < count; i++) {
      const at = (this.#next + i) % count;
      if (!this.#queues.get(this.#turns[at]!)![0]!.background) {
        this.#next = at;
        break;
      }
    }
    const key = this.#turns[this.#next]!;
    const queue = this.#queues.get(key)!;
    const entry = queue[0]!;
    entry.started = true;
    const line = entry.lines.shift()!;
    this.#size -= 1;
    if (entry.lines.length === 0) queue.shift();
    if (queue.length === 0) this.#removeTarget(key);
    else this.#next += 1;
    this.options.write(line);
  }

  /** Resolves when no line is waiting. */
  drained(): Promise<void> {
    if (this.#size === 0) return Promise.resolve();
    return new Promise((resolve) => this.#drainWaiters.push(resolve));
  }

  #notifyDrained(): void {
    const waiters = this.#drainWaiters;
    this.#drainWaiters = [];
    for (const resolve of waiters) resolve();
  }

  /** Stops the timer and forgets every waiting line. */
  clear(): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#queues.clear();
    this.#turns = [];
    this.#next = 0;
    this.#size = 0;
    this.#notifyDrained();
  }
}
