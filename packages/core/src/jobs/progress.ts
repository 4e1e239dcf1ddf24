/**
 * Rate-limited progress: lines pushed by a job are batched and sent at most once per interval, so a chatty
 * job posts a few messages instead of hundreds.
 * @module
 */

/** Batches progress lines for one job. */
export class ProgressStream {
  #pending: string[] = [];
  #timer: NodeJS.Timeout | undefined;
  #lastSent = 0;
  #closed = false;

  constructor(
    private readonly send: (lines: string[]) => Promise<void>,
    private readonly intervalMs: number,
    /** Lines kept per batch; the rest are summarised as "… N more lines". */
    private readonly maxLinesPerBatch = 20,
  ) {}

  /** Queues a line; it is sent with the next batch. */
  push(line: string): void {
    if (this.#closed) return;
    this.#pending.push(...line.replace(/\n$/, "").split("\n"));
    if (this.#timer) return;
    const wait = Math.max(0, this.#lastSent + this.intervalMs - Date.now());
    this.#timer = setTimeout(() => void this.flush(), wait);
    this.#timer.unref?.();
  }

  /** Sends whatever is queued now. */
  async flush(): Promise<void> {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = undefined;
    if (this.#pending.length === 0) return;
    let lines = this.#pending;
    this.#pending = [];
    if (lines.length > this.maxLinesPerBatch) {
      const skipped = lines.length - this.maxLinesPerBatch;
      lines = [`… ${skipped} earlier line${skipped === 1 ? "" : "s"} skipped`, ...lines.slice(-this.maxLinesPerBatch)];
    }
    this.#lastSent = Date.now();
    await this.send(lines);
  }

  /** Sends the rest and stops accepting lines. */
  async close(): Promise<void> {
    await this.flush();
    this.#closed = true;
  }
}
