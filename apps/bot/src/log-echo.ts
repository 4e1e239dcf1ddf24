/**
 * Trouble where the operator looks: while `switchboard start` runs in a terminal with its log in a file, every
 * warning and error of the log is also printed on standard error as one line in words, with its cause
 * (`switchboard: warn: IRC socket error: connect ECONNREFUSED 127.0.0.1:6667 (host 127.0.0.1, port 6667)`).
 * @module
 */
import { Writable } from "node:stream";

/** Fields worth showing after the message (the cause first). */
const CAUSES = new Set(["err", "error", "reason", "cause"]);
const SHOWN = [
  "err",
  "error",
  "reason",
  "cause",
  "url",
  "setting",
  "host",
  "port",
  "network",
  "attempt",
  "delayMs",
  "errorId",
];

function causeOf(value: unknown): string {
  if (value && typeof value === "object") {
    const { message, code } = value as { message?: unknown; code?: unknown };
    if (typeof message === "string")
      return typeof code === "string" && !message.includes(code) ? `${message} (${code})` : message;
  }
  return String(value);
}

/** One pino JSON line as a line of words, or undefined when it is not a warning or an error. */
export function echoLine(json: string): string | undefined {
  let entry: Record<string, unknown>;
  try {
    entry = JSON.parse(json) as Record<string, unknown>;
  } catch {
    return undefined;
  }
  const level = typeof entry.level === "number" ? entry.level : 0;
  if (level < 40) return undefined;
  const name = level >= 50 ? "error" : "warn";
  const parts: string[] = [];
  for (const key of SHOWN) {
    if (entry[key] === undefined) continue;
    parts.push(CAUSES.has(key) ? causeOf(entry[key]) : `${key} ${String(entry[key])}`);
  }
  const [cause, ...rest] = parts;
  const detail = cause === undefined ? "" : `: ${cause}${rest.length ? ` (${rest.join(", ")})` : ""}`;
  return `switchboard: ${name}: ${String(entry.msg ?? "")}${detail}\n`;
}

/** A stream for pino's multistream that writes warnings and errors to `out` (default standard error) as words. */
export function problemEcho(out: NodeJS.WritableStream = process.stderr): Writable {
  return new Writable({
    write(chunk: Buffer | string, _encoding, done) {
      for (const line of chunk.toString().split("\n")) {
        const text = line.trim() ? echoLine(line) : undefined;
        if (text) out.write(text);
      }
      done();
    },
  });
}
