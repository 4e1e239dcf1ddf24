/**
 * Line history for the interactive shell, kept in a file (one line per entry, oldest first, mode 0600).
 * @module
 */
import { appendFileSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";

/** Reads up to `size` entries, newest first (the order readline wants). A missing file is an empty history. */
export function loadHistory(file: string, size: number): string[] {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch {
    return [];
  }
  const lines = text.split("\n").filter((line) => line.trim() !== "");
  // Keep the file from growing without bound: rewrite it when it holds twice what we keep.
  if (lines.length > size * 2) {
    try {
      writeFileSync(file, `${lines.slice(-size).join("\n")}\n`, { mode: 0o600 });
    } catch {
      // A read-only history is still usable.
    }
  }
  return lines.slice(-size).reverse();
}

/** Appends one entry, creating the file (0600) and its folder (0700) when needed. Failures are ignored. */
export function appendHistory(file: string, line: string): void {
  try {
    mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
    appendFileSync(file, `${line.replace(/\n/g, " ")}\n`, { mode: 0o600 });
  } catch {
    // History is a convenience; never let it break the session.
  }
}
