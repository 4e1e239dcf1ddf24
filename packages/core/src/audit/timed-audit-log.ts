/**
 * An audit log that reports each append's size and duration as an `audit.appended` event (for metrics), and is
 * otherwise the log it wraps. Costs nothing while nobody listens.
 * @module
 */

import { isClaimingAuditLog, type MessageClaim } from "../intake/intake-claim.js";
import type { EventBus } from "../runtime/events.js";
import type { AuditLog, AuditRecord } from "./audit.js";
import { isAnchoredAuditLog } from "./checkpointing-audit-log.js";

/** Wraps `log` so appends emit `audit.appended` on `events`. */
export function timedAuditLog(log: AuditLog, events: EventBus): AuditLog {
  return {
    append(records) {
      if (!events.has("audit.appended")) return log.append(records);
      const started = performance.now();
      return log.append(records).then((entries) => {
        events.emit("audit.appended", { entries: entries.length, durationMs: performance.now() - started });
        return entries;
      });
    },
    query: (query) => log.query(query),
    entries: () => log.entries(),
    ...(log.close ? { close: () => log.close!() } : {}),
    // The start-time grant check needs the checkpoints of an anchored log through this wrapper.
    ...(isAnchoredAuditLog(log) ? { checkpoints: () => log.checkpoints() } : {}),
    // Exactly-once intake (several instances) needs the claim capability through this wrapper too.
    ...(isClaimingAuditLog(log)
      ? { appendClaimed: (claim: MessageClaim, records: AuditRecord[]) => log.appendClaimed(claim, records) }
      : {}),
  };
}
