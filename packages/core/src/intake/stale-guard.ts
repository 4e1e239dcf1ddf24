/**
 * The stale-command guard: a command older than the limit when it arrives (a bouncer's backlog, events replayed
 * after a reconnect) is not run; the bot says so once, in its answer.
 * @module
 */

import { out, type StatusBlock } from "../output/output.js";
import { formatDuration } from "../util/duration.js";

/** The answer for a stale command, or undefined when it is fresh enough to run. */
export function staleCommandNotice(
  text: string,
  sentAt: Date,
  limitMs: number,
  now = Date.now(),
): StatusBlock | undefined {
  const age = now - sentAt.getTime();
  if (age <= limitMs) return undefined;
  return out.status(
    "warn",
    `ignored "${text}": it was sent ${formatDuration(age)} ago (commands older than ${formatDuration(limitMs)} are not run). Send it again if it is still wanted.`,
  );
}
