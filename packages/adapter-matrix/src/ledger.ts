/**
 * The ledger of handled events: an event id is written (and fsynced) before the bot acts on it, so a restart or a
 * crash that makes the bot see recent events again never runs a command twice.
 * @module
 */
import {
  closeSync,
  existsSync,
  fsyncSync,
  openSync,
  readFileSync,
  renameSync,
  writeFileSync,
  writeSync,
} from "node:fs";

/** An append-only file of event ids, compacted to the newest {@link Ledger.keep} ids when opened. */
export class Ledger {
  readonly #ids = new Set<string>();
  #fd: number | undefined;

  constructor(
    readonly file: string,
    /** How many ids are kept across restarts (events older than these are stale anyway). */
    readonly keep = 5000,
  ) {}

  /** Loads the file and opens it for appending. */
  open(): void {
    const ids = existsSync(this.file) ? readFileSync(this.file, "utf8").split("\n").filter(Boolean) : [];
    const kept = ids.slice(-this.keep);
    for (const id of kept) this.#ids.add(id);
    if (kept.length !== ids.length) {
      const tmp = `${this.file}.tmp`;
      writeFileSync(tmp, kept.map((id) => `${id}\n`).join(""), { mode: 0o600 });
      renameSync(tmp, this.file);
    }
    this.#fd = openSync(this.file, "a", 0o600);
  }

  has(id: string): boolean {
    return this.#ids.has(id);
  }

  /** Records `id` durably. Returns false when it was already there (the caller must not act again). */
  claim(id: string): boolean {
    if (this.#ids.has(id)) return false;
    this.#ids.add(id);
    if (this.#fd !== undefined) {
      writeSync(this.#fd, `${id}\n`);
      fsyncSync(this.#fd);
    }
    return true;
  }

  close(): void {
    if (this.#fd !== undefined) closeSync(this.#fd);
    this.#fd = undefined;
  }
}
