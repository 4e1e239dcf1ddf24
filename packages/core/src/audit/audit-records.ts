/**
 * Every audit record the runtime writes, built in one place so the log's shape is defined here and nowhere else.
 * @module
 */

import type { CheckedFacts } from "../commands/command.js";
import type { Job } from "../jobs/jobs.js";
import type { Actor } from "../policy/identity.js";
import type { Decision } from "../policy/permissions.js";
import type { AuditOutcome, AuditRecord } from "./audit.js";

/** What names a job in its records: a live {@link Job}, or a waiting job's row read by another instance. */
export interface JobAbout {
  id: string;
  actor: { id: string };
  command: { name: string };
}

const about = (job: JobAbout) => ({ jobId: job.id, actor: job.actor.id, command: job.command.name });

/** Where it was received and the arguments, for `admitted` and `denied`. */
function received(job: Job) {
  const { message } = job;
  return {
    network: message.network,
    room: message.room.id,
    args: job.auditArgs,
  };
}

/**
 * The detail of `admitted` and `denied`: who sent it, the text (dropped when the command has secrets), the reason (and what a check established), the alias
 * typed and its expansion, the schedule a run came from. Its keys
 * are built in sorted order, which is how the chain encodes them, so the log does not copy it to sort it.
 */
function receivedDetail(job: Job, text: string | undefined, reason: string, checked?: CheckedFacts) {
  const { sender, schedule } = job.message;
  const detail: Record<string, unknown> = {};
  if (job.alias) {
    const { name, typed, expansion } = job.alias;
    detail.alias = typed && expansion ? { expansion, name, typed } : { name };
  }
  if (checked && Object.keys(checked).length) detail.checked = checked;
  detail.reason = reason;
  if (schedule) detail.schedule = { due: schedule.due, id: schedule.id };
  detail.sender = sender.id;
  if (text !== undefined) detail.text = text;
  detail.verified = sender.verified;
  return detail;
}

/** The audit records of the runtime. */
export const auditRecords = {
  /** A command allowed to run now, or to wait for approval. */
  admitted(job: Job, decision: Decision & { allowed: true }, text: string | undefined, checked: CheckedFacts) {
    // Written for every command: fields set directly, no intermediate objects to spread.
    return {
      event: "admitted",
      jobId: job.id,
      actor: job.actor.id,
      command: job.command.name,
      network: job.message.network,
      room: job.message.room.id,
      args: job.auditArgs,
      decision: decision.approval ? "needs-approval" : "allowed",
      rule: decision.rule,
      detail: receivedDetail(job, text, decision.reason, checked),
    } satisfies AuditRecord;
  },
  /** A command refused by a permission, a rule, `prepare` or `check`. */
  denied(job: Job, rule: string, reason: string, text: string | undefined) {
    const r = received(job);
    return {
      event: "denied",
      ...about(job),
      network: r.network,
      room: r.room,
      args: r.args,
      decision: "denied",
      outcome: "denied",
      rule,
      detail: receivedDetail(job, text, reason),
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
  approval(
    job: JobAbout,
    approver: Pick<Actor, "id" | "network">,
    approvals: number,
    needed: number,
    approvers?: string[],
  ) {
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
    job: JobAbout,
    outcome: AuditOutcome,
    extra: {
      durationMs?: number;
      errorId?: string;
      rule?: string;
      detail?: Record<string, unknown>;
      decision?: "rejected";
    } = {},
  ) {
    const record: AuditRecord = {
      event: "outcome",
      jobId: job.id,
      actor: job.actor.id,
      command: job.command.name,
      outcome,
    };
    if (extra.durationMs !== undefined) record.durationMs = extra.durationMs;
    if (extra.errorId !== undefined) record.errorId = extra.errorId;
    if (extra.rule !== undefined) record.rule = extra.rule;
    if (extra.detail !== undefined) record.detail = extra.detail;
    if (extra.decision !== undefined) record.decision = extra.decision;
    return record as AuditRecord & {
      event: "outcome";
      jobId: string;
      actor: string;
      command: string;
      outcome: AuditOutcome;
    };
  },
  /** An internal error outside any job (or before one existed). */
  error(network: string, room: string, errorId: string, detail: Record<string, unknown>) {
    return { event: "error", network, room, errorId, detail } satisfies AuditRecord;
  },
};
