/**
 * The app's structured log: pino JSON lines in a file (never the terminal, which belongs to the shell), or on a
 * standard stream for a service manager's journal (`log.file: "-"`). A file is reopened on SIGHUP (log rotation).
 * @module
 */
import { mkdirSync } from "node:fs";
import { dirname, resolve } from "node:path";
import type { Logger } from "@switchboard/core";
import { pino } from "pino";
import { problemEcho } from "./log-echo.js";

/** `log.file` value that means "standard output" (standard error while the shell adapter owns the terminal). */
export const LOG_TO_STREAM = "-";

/** A logger writing to a file or a stream, and how to flush it before exiting. */
export interface FileLogger {
  logger: Logger;
  /** Absolute path of the log file, or `"-"` for a stream. */
  file: string;
  /** Where the log goes, in words: the file's path, or `standard output` / `standard error`. */
  where: string;
  /** Writes out anything buffered (call before `process.exit`). */
  flush(): void;
  /** Closes and opens the file again at its path (after logrotate moved it); nothing for a stream. */
  reopen(): void;
}

/** Options for {@link createFileLogger}. */
export interface FileLoggerOptions {
  /** With `file: "-"`: write to standard error instead of standard output (the shell adapter owns stdout). */
  streamIsTerminal?: boolean;
  /** Also print warnings and errors on standard error as words (`switchboard start` with a log file). */
  echoProblems?: boolean;
}

/**
 * Opens `file` for appending (creating it with mode 0600, and its folder with 0700) and returns a pino logger on
 * it; `"-"` logs to standard output (standard error with `streamIsTerminal`). Writes are synchronous, so nothing
 * is lost when the process exits or crashes.
 */
export function createFileLogger(file: string, level: string, options: FileLoggerOptions = {}): FileLogger {
  const toStream = file === LOG_TO_STREAM;
  const path = toStream ? LOG_TO_STREAM : resolve(file);
  if (!toStream) mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  const fd = options.streamIsTerminal ? 2 : 1;
  const destination = toStream
    ? pino.destination({ dest: fd, sync: true })
    : pino.destination({ dest: path, sync: true, append: true, mode: 0o600 });
  const echo = options.echoProblems && !toStream && level !== "silent";
  const logger = pino(
    { level, redact: { paths: ["*.password", "*.token", "*.secret"], censor: "[redacted]" } },
    echo
      ? pino.multistream([
          { level: level as pino.Level, stream: destination },
          { level: "warn", stream: problemEcho() },
        ])
      : destination,
  );
  return {
    logger,
    file: path,
    where: toStream ? (fd === 2 ? "standard error" : "standard output") : path,
    flush: () => {
      try {
        destination.flushSync();
      } catch {
        // Nothing buffered, or the file is gone: nothing more to do.
      }
    },
    reopen: () => {
      if (!toStream) destination.reopen();
    },
  };
}

/** The level from the config, else `$SWITCHBOARD_LOG_LEVEL`, else `info`. */
export function logLevel(
  configured: string | undefined,
  env: Record<string, string | undefined> = process.env,
): string {
  return configured ?? env.SWITCHBOARD_LOG_LEVEL ?? "info";
}
