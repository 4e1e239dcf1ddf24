import { randomBytes } from "node:crypto";

/**
 * A mistake the person in chat can fix (bad arguments, unknown command, denied). Shown in chat with its hint.
 */
export class UserError extends Error {
  override readonly name = "UserError";
  /** What to do about it, e.g. the usage line. */
  readonly hint: string | undefined;
  constructor(message: string, hint?: string) {
    super(message);
    this.hint = hint;
  }
}

/** Thrown into a job's signal when its time is up. */
export class JobTimeoutError extends Error {
  override readonly name = "JobTimeoutError";
  constructor(readonly timeoutMs: number) {
    super(`timed out after ${timeoutMs} ms`);
  }
}

/** Thrown into a job's signal when someone cancels it. */
export class JobCancelledError extends Error {
  override readonly name = "JobCancelledError";
  constructor(readonly by: string) {
    super(`cancelled by ${by}`);
  }
}

/** A short random id that ties a chat message to the log and audit entries of an internal error. */
export function newCorrelationId(): string {
  return `E-${randomBytes(4).toString("hex")}`;
}

/** A refusal decided inside a handler (for checks that depend on state, like "only your own jobs"). */
export class DeniedError extends UserError {
  constructor(
    message: string,
    /** What decided it, for the audit log (`command cancel`, `rule x`). */
    readonly rule: string,
  ) {
    super(message);
  }
}
