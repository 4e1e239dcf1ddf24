/**
 * A job's logger, made only when the job logs: most jobs never do, and a child logger costs more than the rest of
 * a short job.
 * @module
 */
import type { Logger } from "../runtime/logger.js";

/** A {@link Logger} that creates `parent.child(bindings)` on first use and forwards to it. */
export class LazyChildLogger implements Logger {
  #child: Logger | undefined;

  constructor(
    private readonly parent: Logger,
    private readonly bindings: Record<string, unknown>,
  ) {}

  #logger(): Logger {
    if (!this.#child) this.#child = this.parent.child(this.bindings);
    return this.#child;
  }

  debug(...args: Parameters<Logger["debug"]>): void {
    this.#logger().debug(...args);
  }
  info(...args: Parameters<Logger["info"]>): void {
    this.#logger().info(...args);
  }
  warn(...args: Parameters<Logger["warn"]>): void {
    this.#logger().warn(...args);
  }
  error(...args: Parameters<Logger["error"]>): void {
    this.#logger().error(...args);
  }
  child(bindings: Record<string, unknown>): Logger {
    return this.#logger().child(bindings);
  }
}
