import { pino } from "pino";

/** The structured logger the runtime writes to (a pino logger, or anything with the same methods). */
export interface Logger {
  debug(obj: object, msg?: string): void;
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
  child(bindings: Record<string, unknown>): Logger;
}

/** A pino logger writing JSON lines to stderr at `level` (default `info`). */
export function createLogger(level = process.env.SWITCHBOARD_LOG_LEVEL ?? "info"): Logger {
  return pino(
    { level, redact: { paths: ["*.password", "*.token", "*.secret"], censor: "[redacted]" } },
    pino.destination(2),
  );
}

/** A logger that discards everything (tests, benchmarks). */
export function silentLogger(): Logger {
  return pino({ level: "silent" });
}
