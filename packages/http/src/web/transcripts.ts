/**
 * What the bot said for each job, as text lines, kept in memory for the job pages and their live streams. Bounded:
 * the newest {@link MAX_JOBS} jobs, {@link MAX_LINES} lines each, lines cut at {@link MAX_LINE_CHARS}. Lost at a
 * restart (the audit log keeps what was asked and how it ended, not the output).
 * @module
 */
import { type OutgoingMessage, renderBlockLines } from "@switchboard/core";
import type { BotEvents } from "@switchboard/core/app";

export const MAX_JOBS = 200;
export const MAX_LINES = 2000;
export const MAX_LINE_CHARS = 2000;

/** One job's transcript. */
export interface Transcript {
  lines: string[];
  /** Lines dropped after {@link MAX_LINES}. */
  dropped: number;
  /** The outcome, once the job finished. */
  outcome?: string;
}

type Listener = (event: { line: string; index: number } | { outcome: string }) => void;

/** Transcripts of recent jobs and the live streams that follow them. */
export class TranscriptBook {
  readonly #jobs = new Map<string, Transcript>();
  readonly #listeners = new Map<string, Set<Listener>>();
  readonly #off: Array<() => void>;

  constructor(events: BotEvents) {
    this.#off = [
      events.on("job.output", ({ jobId, message }) => this.#said(jobId, message)),
      events.on("job.finished", ({ job, outcome }) => this.#finished(job.id, outcome)),
    ];
  }

  get(jobId: string): Transcript | undefined {
    return this.#jobs.get(jobId);
  }

  /** Follows a job: `listener` gets each new line and then its outcome. Returns a function that stops. */
  follow(jobId: string, listener: Listener): () => void {
    let set = this.#listeners.get(jobId);
    if (!set) {
      set = new Set();
      this.#listeners.set(jobId, set);
    }
    set.add(listener);
    return () => {
      set.delete(listener);
      if (set.size === 0) this.#listeners.delete(jobId);
    };
  }

  close(): void {
    for (const off of this.#off) off();
    this.#listeners.clear();
  }

  #transcript(jobId: string): Transcript {
    let transcript = this.#jobs.get(jobId);
    if (!transcript) {
      transcript = { lines: [], dropped: 0 };
      this.#jobs.set(jobId, transcript);
      if (this.#jobs.size > MAX_JOBS) this.#jobs.delete(this.#jobs.keys().next().value!);
    }
    return transcript;
  }

  #said(jobId: string, message: OutgoingMessage): void {
    const transcript = this.#transcript(jobId);
    for (const block of message.blocks)
      for (const raw of renderBlockLines(block)) {
        if (transcript.lines.length >= MAX_LINES) {
          transcript.dropped++;
          continue;
        }
        const line = raw.length > MAX_LINE_CHARS ? `${raw.slice(0, MAX_LINE_CHARS)}…` : raw;
        transcript.lines.push(line);
        const index = transcript.lines.length - 1;
        for (const listener of this.#listeners.get(jobId) ?? []) listener({ line, index });
      }
  }

  #finished(jobId: string, outcome: string): void {
    this.#transcript(jobId).outcome = outcome;
    for (const listener of this.#listeners.get(jobId) ?? []) listener({ outcome });
  }
}
