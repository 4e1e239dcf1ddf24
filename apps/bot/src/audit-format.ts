/**
 * One audit entry as one line of text, for `switchboard audit tail`.
 * @module
 */
import type { AuditEntry } from "@switchboard/core";
import { auditSummary } from "@switchboard/core/audit";

/** `#12  2025-11-25 22:15:03  k7m2p  outcome   alice  ping  succeeded in 3ms`. */
export function formatAuditLine(entry: AuditEntry): string {
  const time = entry.time.replace("T", " ").replace(/\.\d+Z$/, "Z");
  return [
    `#${entry.seq}`.padEnd(6),
    time,
    (entry.jobId ?? "-").padEnd(5),
    entry.event.padEnd(18),
    (entry.actor ?? "-").padEnd(12),
    (entry.command ?? "-").padEnd(12),
    auditSummary(entry),
  ]
    .join("  ")
    .trimEnd();
}
