/**
 * Every audit record the runtime writes, built in one place so the log's shape is defined here and nowhere else.
 * @module
 */
import type { AuditOutcome, AuditRecord } from "./audit.js";
import type { CheckedFacts } from "./command.js";
import type { Actor } from "./identity.js";
import type { Job } from "./jobs.js";
import type { Decision } from "./permissions.js";

const about = (job: Job) => ({ jobId: job.id, actor: job.actor.id, command: job.command.name });

/** What was received, for `admitted` and `denied` (the raw text is dropped when the command has secrets). */
function received(job: Job, text: string | undefined) {
  const { message } = job;
  return {
    network: message.network,
    room: message.room.id,
    args: job.auditArgs,
    sender: { sender: message.sender.id, verified: message.sender.verified, ...(text === undefined ? {} : { text }) },
  };
}

/** The audit records of the runtime. */
export const auditRecords = {
  /** A command allowed to run now, or to wait for approval. */
  admitted(job: Job, decision: Decision & { allowed: true }, text: string | undefined, checked: CheckedFacts) {
    const r = received(job, text);
    return {
      event: "admitted",
      ...about(job),
      network: r.network,
      room: r.room,
      args: r.args,
      decision: decision.approval ? "needs-approval" : "allowed",
      rule: decision.rule,
      detail: { ...r.sender, reason: decision.reason, ...(Object.keys(checked).length ? { checked } : {}) },
    } satisfies AuditRecord;
  },
  /** A command refused by a permission, a rule, `prepare` or `check`. */
  denied(job: Job, rule: string, reason: string, text: string | undefined) {
    const r = received(job, text);
    return {
      event: "denied",
      ...about(job),
      network: r.network,
      room: r.room,
      args: r.args,
      decision: "denied",
      outcome: "denied",
      rule,
      detail: { ...r.sender, reason },
    } satisfies AuditRecord;
  },
  approvalRequested(
    job: Job,
    approval: { rule: string; count: number; permission: string; ttlMs: number; digest: string },
  ) {
    return {
      event: "approval-requested",
      ...about(job),
      rule: approval.rule,
      detail: {
        count: approval.count,
        permission: approval.permission,
        ttlMs: approval.ttlMs,
        digest: approval.digest,
      },
    } satisfies AuditRecord;
  },
  /** One person's approval; `starts` on the one that completes it (the job starts right after it is durable). */
  approval(job: Job, approver: Actor, approvals: number, needed: number, approvers?: string[]) {
    return {
      event: "approval",
      ...about(job),
      actor: approver.id,
      decision: "approved",
      network: approver.network,
      detail: {
        requester: job.actor.id,
        approvals,
        needed,
        ...(approvers ? { starts: true, approvers } : {}),
      },
    } satisfies AuditRecord;
  },
  /** How a job ended (ran, or was closed while waiting for approval). */
  outcome(
    job: Job,
    outcome: AuditOutcome,
    extra: {
      durationMs?: number;
      errorId?: string;
      rule?: string;
      detail?: Record<string, unknown>;
      decision?: "rejected";
    } = {},
  ) {
    return { event: "outcome", ...about(job), outcome, ...extra } satisfies AuditRecord;
  },
  /** An internal error outside any job (or before one existed). */
  error(network: string, room: string, errorId: string, detail: Record<string, unknown>) {
    return { event: "error", network, room, errorId, detail } satisfies AuditRecord;
  },
};
