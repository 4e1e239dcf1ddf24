/**
 * Calls that create something people see (`chat.postMessage`, `chat.postEphemeral`, a file shared by the upload
 * flow) are not idempotent, and Slack takes no idempotency key for them: sending one again after a failure whose
 * outcome is unknown posts it twice when the first one did arrive. So they go through a Web API client that retries
 * nothing on its own, and are sent again here only when Slack certainly did not act on them:
 * - HTTP 429 (rate limited): Slack refused the call; it is sent again after its `Retry-After`;
 * - the connection was never made (refused, the host unresolvable or unreachable, the connect timed out): nothing
 *   was sent; it is sent again after a backoff from `retryDelay`.
 * Everything else fails at once. A timeout, a connection lost after the request was written, or an HTTP error
 * status (5xx) is ambiguous — the message may be in the channel — and is never repeated: it is logged as an error
 * with a correlation id (the answer may be lost; a doubled answer is worse: see the package README) and thrown as a
 * {@link UncertainPostError}. An `ok: false` answer (`not_in_channel`, …) is Slack's decision and is thrown as is.
 * @module
 */
import { randomBytes } from "node:crypto";
import { backoffDelay, type Logger } from "@switchboard/core";

/** Connection errors that happen before anything is sent (Node's and undici's codes). */
const notSentCodes = new Set([
  "ECONNREFUSED",
  "ENOTFOUND",
  "EAI_AGAIN",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "UND_ERR_CONNECT_TIMEOUT",
]);

/** A call that may or may not have reached Slack; it was not sent again. */
export class UncertainPostError extends Error {
  override readonly name = "UncertainPostError";
  constructor(
    readonly method: string,
    /** Ties this error to its log line (`correlationId`). */
    readonly correlationId: string,
    options: { cause: unknown },
  ) {
    super(
      `${method} failed after it may have reached Slack (${describe(options.cause)}); not sent again, so it may be missing (reference ${correlationId})`,
      options,
    );
  }
}

/** How long to wait before sending `err`'s call again, when Slack certainly did not act on it; else undefined. */
export function refusedRetryDelay(err: unknown, attempt: number, retryDelayMs: number): number | undefined {
  const e = err as { code?: unknown; retryAfter?: unknown; original?: { cause?: unknown } } | undefined;
  if (e?.code === "slack_webapi_rate_limited_error" && typeof e.retryAfter === "number")
    return Math.max(e.retryAfter * 1000, 0);
  if (e?.code === "slack_webapi_request_error" && neverConnected(e.original?.cause))
    return backoffDelay(attempt, { initialDelayMs: retryDelayMs, maxDelayMs: 30_000 });
  return undefined;
}

/** Whether a fetch failure's cause says no connection was made (also every attempt of a multi-address connect). */
function neverConnected(cause: unknown): boolean {
  const c = cause as { code?: unknown; errors?: unknown } | undefined;
  if (typeof c?.code === "string" && notSentCodes.has(c.code)) return true;
  return Array.isArray(c?.errors) && c.errors.length > 0 && c.errors.every((inner) => neverConnected(inner));
}

function describe(err: unknown): string {
  const e = err as { message?: unknown; original?: { cause?: { code?: unknown; message?: unknown } } } | undefined;
  const cause = e?.original?.cause;
  const detail = typeof cause?.code === "string" ? cause.code : typeof cause?.message === "string" ? cause.message : "";
  const message = typeof e?.message === "string" ? e.message : String(err);
  return detail ? `${message}: ${detail}` : message;
}

/** What {@link postOnce} needs. */
export interface PostOnceOptions {
  /** The Web API method, for logs. */
  method: string;
  /** Times a refused call is sent again. */
  retries: number;
  retryDelayMs: number;
  logger: Logger;
  /** Where it was going (channel, thread, job), for the log line of an uncertain failure. */
  context: Record<string, unknown>;
}

/**
 * Runs `call` (on a client that does not retry): again after a refusal (429, no connection), never after a failure
 * that may have posted (see the module comment).
 */
export async function postOnce<T>(call: () => Promise<T>, options: PostOnceOptions): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await call();
    } catch (err) {
      const wait = attempt <= options.retries ? refusedRetryDelay(err, attempt, options.retryDelayMs) : undefined;
      if (wait !== undefined) {
        options.logger.debug(
          { method: options.method, attempt, waitMs: wait },
          "Slack refused a call; sending it again",
        );
        await new Promise((resolve) => setTimeout(resolve, wait));
        continue;
      }
      if (!isUncertain(err)) throw err;
      const correlationId = `E-${randomBytes(4).toString("hex")}`;
      options.logger.error(
        { correlationId, method: options.method, ...options.context, err: describe(err) },
        "a Slack post failed after it may have reached Slack; it is not sent again, so it may be missing",
      );
      throw new UncertainPostError(options.method, correlationId, { cause: err });
    }
  }
}

/**
 * Whether a failed call may have been carried out by Slack: a request that failed once a connection was made (a
 * timeout, a connection lost) or an HTTP error status. Slack's `ok: false` answers, 429s, a connection never made,
 * and the client's own argument checks are certain: nothing was posted.
 */
function isUncertain(err: unknown): boolean {
  const e = err as { code?: unknown; original?: { cause?: unknown } } | undefined;
  if (e?.code === "slack_webapi_http_error") return true;
  return e?.code === "slack_webapi_request_error" && !neverConnected(e.original?.cause);
}
