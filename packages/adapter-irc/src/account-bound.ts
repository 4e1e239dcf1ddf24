/**
 * Lines bound to a services account: the private rest of a capped reply to an identified asker may leave the flood
 * queue only while that account still holds the nick. The rest waits behind other output, one line a second, so
 * the asker may change nick, and someone else take the old one, long after the reply was planned.
 * @module
 */
import type { OutLine } from "./flood-queue.js";

/** A line that goes out only while `heldBy` is the services account of its target nick. */
type BoundLine = OutLine & { heldBy?: string };

/** The same lines, each bound to `account`. */
export function bindToAccount(lines: OutLine[], account: string): OutLine[] {
  return lines.map((line): BoundLine => ({ ...line, heldBy: account }));
}

/** The account a line is bound to, if any. */
export function boundAccount(line: OutLine): string | undefined {
  return (line as BoundLine).heldBy;
}
