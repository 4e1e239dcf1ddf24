import { existsSync, readdirSync, readFileSync } from "node:fs";
import { basename, dirname, join, resolve } from "node:path";
import { CliError } from "../cli-error.js";
import { loadConfigFromItsFolder } from "../config/config-folder.js";
import { LOG_TO_STREAM } from "../logging.js";

/** Options of `switchboard log`. */
export interface LogLookupOptions {
  config?: string;
}

/** The log file and the rotated copies beside it (`bot.log.1`, `bot.log-20261207`; compressed ones are skipped). */
function logFiles(file: string): string[] {
  const folder = dirname(file);
  if (!existsSync(folder)) return [];
  const name = basename(file);
  return readdirSync(folder)
    .filter(
      (entry) =>
        entry === name || (entry.startsWith(`${name}.`) && !entry.endsWith(".gz")) || entry.startsWith(`${name}-`),
    )
    .filter((entry) => !entry.endsWith(".gz") && !entry.endsWith(".xz") && !entry.endsWith(".zst"))
    .map((entry) => join(folder, entry));
}

/** One log entry as lines of words: time, level, message, the error with its stack, the rest as JSON. */
function describe(entry: Record<string, unknown>, file: string): string[] {
  const { time, level, msg, err, errorId: _id, pid: _pid, hostname: _host, ...rest } = entry;
  const when = typeof time === "number" ? new Date(time).toISOString() : String(time ?? "?");
  const lines = [
    `${when}  ${level === 50 ? "error" : level === 60 ? "fatal" : String(level)}  ${String(msg ?? "")}  (${file})`,
  ];
  if (err && typeof err === "object") {
    const { message, stack, type } = err as { message?: string; stack?: string; type?: string };
    lines.push(`  error: ${type ? `${type}: ` : ""}${message ?? ""}`);
    if (stack)
      lines.push(
        ...stack
          .split("\n")
          .slice(1)
          .map((line) => `  ${line.trim()}`),
      );
  }
  if (Object.keys(rest).length) lines.push(`  context: ${JSON.stringify(rest)}`);
  return lines;
}

/**
 * `switchboard log <reference>`: finds an internal-error reference (`E-…`, as chat showed it) in the log file and
 * its rotated copies, and prints what was logged with it (the error, its stack, the job). With `log.file: "-"`
 * says where to look instead (the journal).
 */
export async function logLookupCommand(reference: string, options: LogLookupOptions): Promise<number> {
  const id = reference.trim();
  if (!/^E-[A-Za-z0-9]+$/.test(id))
    throw new CliError(`"${reference}" is not an error reference; they look like E-1a2b3c4d`);
  const { config } = loadConfigFromItsFolder(options.config);
  if (config.log.file === LOG_TO_STREAM)
    throw new CliError(
      `the log goes to standard output (log.file: "-"): search the journal, e.g. journalctl -u switchboard -g '"errorId":"${id}"'`,
    );
  const file = resolve(config.log.file);
  const files = logFiles(file);
  if (files.length === 0) throw new CliError(`no log file at ${file} (has the bot run with this configuration?)`);
  const needle = `"errorId":"${id}"`;
  const found: string[] = [];
  for (const path of files) {
    for (const line of readFileSync(path, "utf8").split("\n")) {
      if (!line.includes(needle)) continue;
      try {
        found.push(...describe(JSON.parse(line) as Record<string, unknown>, path));
      } catch {
        found.push(line);
      }
    }
  }
  if (found.length === 0) {
    process.stdout.write(
      `not found: ${id} is in none of ${files.join(", ")} (a log rotated away, or another bot's?)\n`,
    );
    return 1;
  }
  process.stdout.write(`${id}:\n${found.join("\n")}\n`);
  return 0;
}
