/**
 * Log files in temporary folders written the way servers write them (nginx's access log format, an application log
 * with ISO times, a log without times), real systemd journal files (written by systemd-journal-remote from journal
 * export format), people and roles for the tests, and a harness with the logs plugin.
 */
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { tempDir } from "@switchboard/test-servers";
import { createHarness, type Harness } from "@switchboard/testing";
import type { LogsConfigInput } from "../src/config.js";
import logs from "../src/index.js";

export { tempDir };

const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
const two = (n: number) => String(n).padStart(2, "0");

/** nginx's `$time_local` in UTC: `07/Dec/2026:02:34:02 +0000`. */
export function clfTime(ms: number): string {
  const d = new Date(ms);
  return `${two(d.getUTCDate())}/${MONTHS[d.getUTCMonth()]}/${d.getUTCFullYear()}:${two(d.getUTCHours())}:${two(d.getUTCMinutes())}:${two(d.getUTCSeconds())} +0000`;
}

/** An nginx access log line (the `combined` format) at `ms`. */
export function accessLine(ms: number, path: string, status: number): string {
  return `127.0.0.1 - - [${clfTime(ms)}] "GET ${path} HTTP/1.1" ${status} 612 "-" "curl/7.88.1"`;
}

/** Writes `lines` (plus a final newline) to `path`, creating its folder. */
export function writeLog(path: string, lines: string[]): void {
  mkdirSync(join(path, ".."), { recursive: true });
  writeFileSync(path, `${lines.join("\n")}\n`);
}

const JOURNAL_REMOTE = "/lib/systemd/systemd-journal-remote";

/** One journal entry: a message of a unit, `ago` milliseconds ago. */
export interface JournalEntry {
  ago: number;
  unit: string;
  message: string;
}

/**
 * Writes a real journal file into `dir` (for `journalctl -D dir`) with systemd-journal-remote, from the journal export
 * format. Fails (never skips) when systemd-journal-remote is missing.
 */
export function writeJournal(dir: string, entries: JournalEntry[]): void {
  if (!existsSync(JOURNAL_REMOTE))
    throw new Error(`${JOURNAL_REMOTE} is missing (systemd-journal-remote): run sh scripts/test-servers.sh`);
  mkdirSync(dir, { recursive: true });
  const now = Date.now() * 1000;
  const exported = entries
    .map((entry, i) => {
      const usec = now - entry.ago * 1000;
      return [
        `__CURSOR=s=0;i=${i}`,
        `__REALTIME_TIMESTAMP=${usec}`,
        `__MONOTONIC_TIMESTAMP=${usec}`,
        "_BOOT_ID=0123456789abcdef0123456789abcdef",
        "_HOSTNAME=fe1",
        `_SYSTEMD_UNIT=${entry.unit}`,
        `SYSLOG_IDENTIFIER=${entry.unit.replace(/\.service$/, "")}`,
        "_PID=412",
        `MESSAGE=${entry.message}`,
        "",
      ].join("\n");
    })
    .join("\n");
  const source = join(dir, "export.txt");
  writeFileSync(source, exported);
  execFileSync(JOURNAL_REMOTE, [`--output=${join(dir, "remote.journal")}`, source], { stdio: "ignore" });
  rmSync(source);
}

/** People and roles used across the tests. */
export const policy = {
  roles: {
    webreader: { permissions: ["logs:read:web"] },
    reader: { permissions: ["logs:read:*"] },
    guest: { permissions: [] },
  },
  principals: {
    alice: { roles: ["reader"], identities: { test: "alice" } },
    bob: { roles: ["webreader"], identities: { test: "bob" } },
  },
  guestRole: "guest",
};

/** A started harness with the logs plugin. */
export function logsHarness(config: LogsConfigInput): Promise<Harness> {
  return createHarness({ policy, plugins: [[logs, config]] });
}
