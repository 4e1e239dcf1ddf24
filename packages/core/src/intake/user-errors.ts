/**
 * How errors are worded in chat: user errors with their hint, internal errors as a correlation id only.
 * @module
 */

import type { Lookup } from "../commands/registry.js";
import { out, type StatusBlock } from "../output/output.js";
import { newCorrelationId, type UserError } from "../runtime/errors.js";
import type { Logger } from "../runtime/logger.js";

/** A user error as a status block: the message, then the hint on its own line. */
export function userErrorBlock(error: UserError): StatusBlock {
  return out.status("fail", error.hint ? `${error.message}\n${error.hint}` : error.message);
}

/** Reports an internal error: detail to the log, only the correlation id to chat. */
export function describeInternalError(logger: Logger, error: unknown, bindings: Record<string, unknown>) {
  const errorId = newCorrelationId();
  logger.error({ err: error, errorId, ...bindings }, "internal error");
  const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  return {
    errorId,
    chat: out.status("fail", `internal error (reference ${errorId}); the details are in the bot's log`),
    detail: { error: message },
  };
}

/** "unknown command … Did you mean …?" or "… needs a subcommand". */
export function unknownCommandText(found: Lookup & { found: false }, prefix: string): string {
  if (found.prefix.length > 0 && !found.unknown) {
    return `"${found.prefix.join(" ")}" needs a subcommand: ${found.group.join(", ")}. Try ${prefix}help ${found.prefix.join(" ")}`;
  }
  const name = [...found.prefix, found.unknown].join(" ");
  const suggestions = found.suggestions.map((s) => `${prefix}${[...found.prefix, s].join(" ")}`);
  return suggestions.length
    ? `unknown command "${name}". Did you mean ${suggestions.join(", ")}?`
    : `unknown command "${name}". Try ${prefix}help`;
}
