/**
 * Log files in temporary folders written the way servers write them (nginx's access log format, an application log
 * with ISO times, a log without times), people and roles for the tests, and a harness with the logs plugin.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createHarness, type Harness } from "@switchboard/testing";
import logs, { type LogsConfigInput } from "../src/index.js";

/** A temporary folder, removed by `remove()`. */
export function tempDir(prefix = "logs-test-"): { dir: string; remove(): void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

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
