/**
 * The app's structured log: pino JSON lines in a file (never the terminal, which belongs to the shell).
 * @module
 */
import { mkdirSync } from "node:fs";
import { dirname, resolve } from "node:path";
import type { Logger } from "@switchboard/core";
import { pino } from "pino";

/** A logger writing to a file, and how to flush it before exiting. */
export interface FileLogger {
  logger: Logger;
  /** Absolute path of the log file. */
  file: string;
  /** Writes out anything buffered (call before `process.exit`). */
  flush(): void;
}

/**
 * Opens `file` for appending (creating it with mode 0600, and its folder with 0700) and returns a pino logger on
 * it. Writes are synchronous, so nothing is lost when the process exits or crashes.
 */
export function createFileLogger(file: string, level: string): FileLogger {
  const path = resolve(file);
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  const destination = pino.destination({ dest: path, sync: true, append: true, mode: 0o600 });
  const logger = pino(
    { level, redact: { paths: ["*.password", "*.token", "*.secret"], censor: "[redacted]" } },
    destination,
  );
  return {
    logger,
    file: path,
    flush: () => {
      try {
        destination.flushSync();
      } catch {
        // Nothing buffered, or the file is gone: nothing more to do.
      }
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
