/**
 * One audit entry in a few words, for the `audit` command and `switchboard audit tail`.
 * @module
 */
import type { AuditEntry } from "./audit.js";

/** What was typed (or the arguments, when the text was withheld because of secret arguments). */
function said(entry: AuditEntry): string {
  if (typeof entry.detail?.text === "string") return `"${entry.detail.text}"`;
  const args = Object.entries(entry.args ?? {})
    .filter(([, v]) => v !== undefined && v !== false)
    .map(([k, v]) => `${k}=${typeof v === "string" ? v : JSON.stringify(v)}`)
    .join(" ");
  return args ? `(text withheld) ${args}` : "(text withheld)";
}

/** The alias typed and the schedule a run came from, when there was one. */
function via(entry: AuditEntry): string {
  const alias = entry.detail?.alias as { name?: string } | undefined;
  const schedule = entry.detail?.schedule as { id?: string } | undefined;
  return `${alias?.name ? ` [alias ${alias.name}]` : ""}${schedule?.id ? ` [schedule ${schedule.id}]` : ""}`;
}

const where = (entry: AuditEntry) => `in ${entry.network ?? "?"} ${entry.room ?? ""}`.trimEnd();

/** The most telling part of an entry: what was said and decided, its outcome, a role change or an error id. */
export function auditSummary(entry: AuditEntry): string {
  const rule = entry.rule ? ` (${entry.rule})` : "";
  switch (entry.event) {
    case "admitted":
    case "received":
      return `${said(entry)} ${where(entry)}${entry.decision ? ` → ${entry.decision}${rule}` : ""}${via(entry)}`;
    case "denied":
      return `denied${rule}: ${said(entry)} ${where(entry)}${via(entry)}`;
    case "role":
      return `${entry.detail?.change} ${entry.detail?.role} → ${entry.detail?.target}`;
    case "trust":
      return `trust reset ${entry.detail?.user} on ${entry.network}: accepts identity ${entry.detail?.identity}`;
    case "operator":
      return typeof entry.detail?.summary === "string" ? entry.detail.summary : "";
    case "alias":
      return `alias ${entry.detail?.change} ${entry.detail?.name}${entry.detail?.line ? ` = ${entry.detail.line}` : ""}`;
    case "schedule": {
      const d = entry.detail ?? {};
      const why = d.reason ? `: ${d.reason}` : d.missed !== undefined ? `: ${d.missed} missed (${d.policy})` : "";
      return `schedule ${d.id} ${d.change}${d.line ? ` (${d.line})` : ""}${why}`;
    }
    default:
      break;
  }
  if (entry.outcome) {
    const took = entry.durationMs !== undefined ? ` in ${entry.durationMs}ms` : "";
    const error = typeof entry.detail?.error === "string" ? `: ${entry.detail.error}` : "";
    return `${entry.outcome}${took}${error}${entry.errorId ? ` (${entry.errorId})` : ""}`;
  }
  if (entry.decision) return `${entry.decision}${rule}`;
  return entry.errorId ?? "";
}
