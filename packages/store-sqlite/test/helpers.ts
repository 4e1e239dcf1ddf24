/**
 * Test helpers: temporary folders and database paths removed after each test, and cleanups run before them.
 */
import { join } from "node:path";
import { tempDir as sharedTempDir } from "@switchboard/test-servers";
import { afterEach } from "vitest";

const cleanups: Array<() => void> = [];

afterEach(() => {
  for (const cleanup of cleanups.splice(0).reverse()) cleanup();
});

/** A fresh temporary directory, removed after the test. */
export function scratchDir(): string {
  const { dir, remove } = sharedTempDir("switchboard-sqlite-");
  cleanups.push(remove);
  return dir;
}

/** A path for a new database file in a fresh temporary directory. */
export function tempDbPath(name = "switchboard.db"): string {
  return join(scratchDir(), name);
}

/** Runs `close` after the test (before the directories are removed). */
export function onCleanup(close: () => void): void {
  cleanups.push(close);
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
