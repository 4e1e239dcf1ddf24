/**
 * The default home of the adapter's state: files in its data folder (`session.json`, `store.v8`), written atomically
 * (temporary file, fsync, rename) and readable by the owner only. With several instances on PostgreSQL the app gives
 * a shared {@link AdapterStateStore} instead, so a standby takes over the same device.
 * @module
 */
import { closeSync, existsSync, fsyncSync, openSync, readFileSync, renameSync, rmSync, writeSync } from "node:fs";
import { join } from "node:path";
import type { AdapterStateStore } from "@switchboard/core";

/** The file each kept value is in (names the adapter uses; the file names are those of earlier versions). */
const files: Record<string, string> = { session: "session.json", store: "store.v8" };

/** Keeps the adapter's state as files in `dir`. */
export class FileState implements AdapterStateStore {
  readonly where: string;

  constructor(readonly dir: string) {
    this.where = `the folder ${dir}`;
  }

  #file(name: string): string {
    const file = files[name];
    if (!file) throw new Error(`no file for the Matrix state "${name}"`);
    return join(this.dir, file);
  }

  async read(name: string): Promise<Uint8Array | undefined> {
    const file = this.#file(name);
    return existsSync(file) ? readFileSync(file) : undefined;
  }

  async write(name: string, value: Uint8Array): Promise<void> {
    const file = this.#file(name);
    const tmp = `${file}.tmp`;
    const fd = openSync(tmp, "w", 0o600);
    try {
      writeSync(fd, value);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, file);
  }

  async remove(name: string): Promise<void> {
    rmSync(this.#file(name), { force: true });
  }
}
