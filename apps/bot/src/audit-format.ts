/**
 * One audit entry as one line of text, for `switchboard audit tail`.
 * @module
 */
import type { AuditEntry } from "@switchboard/core";

/** The most telling part of an entry: its outcome, decision, command text, role change or error id. */
export function auditSummary(entry: AuditEntry): string {
  if (entry.event === "decision") return `${entry.decision ?? "?"}${entry.rule ? ` (${entry.rule})` : ""}`;
  if (entry.outcome) {
    const took = entry.durationMs !== undefined ? ` in ${entry.durationMs}ms` : "";
    const error = typeof entry.detail?.error === "string" ? `: ${entry.detail.error}` : "";
    return `${entry.outcome}${took}${error}${entry.errorId ? ` (${entry.errorId})` : ""}`;
  }
  if (entry.decision) return `${entry.decision}${entry.rule ? ` (${entry.rule})` : ""}`;
  if (entry.event === "received") {
    const text = typeof entry.detail?.text === "string" ? entry.detail.text : "(text withheld: secret arguments)";
    return `"${text}" in ${entry.network ?? "?"} ${entry.room ?? ""}`.trimEnd();
  }
  if (entry.event === "role") return `${entry.detail?.change} ${entry.detail?.role} → ${entry.detail?.target}`;
  if (entry.errorId) return entry.errorId;
  return "";
}

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
