/**
 * The approval desk: asks for approvals, records them, and starts, refuses, expires or withdraws waiting jobs.
 * What people approve is the prepared invocation (arguments as the handler gets them, and what `check` pinned);
 * its digest is recorded, and the job runs only if the invocation still has that digest.
 *
 * With several instances (a store with {@link ApprovalRows}), a waiting job is also a row and decisions go through
 * it (approval-row-desk.ts): any instance takes `approve`/`deny`; the instance holding the job starts it once.
 * @module
 */
import type { SentMessage } from "../adapters/adapter.js";
import type { AuditLog } from "../audit/audit.js";
import { auditRecords } from "../audit/audit-records.js";
import type { JobInfo } from "../commands/command.js";
import { executeJob, type JobRunnerDeps } from "../jobs/job-runner.js";
import { type Job, type JobTable, jobInfo } from "../jobs/jobs.js";
import { type Block, type OutgoingMessage, out, type Reply } from "../output/output.js";
import { UserError } from "../runtime/errors.js";
import type { EventBus } from "../runtime/events.js";
import type { Logger } from "../runtime/logger.js";
import { formatDuration } from "../util/duration.js";
import type { ApprovalBoard } from "./approval-board.js";
import { invocationDigest, type Pending, pendingOf, requirementsMet } from "./approval-facts.js";
import { ApprovalRowDesk, normalId } from "./approval-row-desk.js";
import { type ApprovalRows, JobIdTakenError } from "./approval-rows.js";
import { type Actor, type GrantView, type IdentityDirectory, who } from "./identity.js";
import type { CombinedApproval, Policy } from "./permissions.js";

/** What the desk needs from the bot. */
export interface ApprovalDeskDeps {
  jobs: JobTable;
  policy: Policy;
  identity: IdentityDirectory;
  auditLog: AuditLog;
  events: EventBus;
  logger: Logger;
  prefix: string;
  defaultTtlMs: number;
  /** Sends output to where the job was asked; returns what was sent when the network gives an id. */
  notify(
    job: Job,
    reply: Reply,
    kind: OutgoingMessage["kind"],
    extra?: Partial<OutgoingMessage>,
  ): Promise<SentMessage | undefined>;
  /** Every request message of a waiting job (the asker's and the announced ones), kept in step. */
  board: ApprovalBoard;
  /** Runs approved jobs (the desk starts them itself, once their approval entry is durable). */
  runner: JobRunnerDeps;
  /** Present with several instances on one database: waiting jobs are rows too (see the module comment). */
  rows?: ApprovalRows;
}

/** The prepared invocation as people will see it: every argument and every checked fact, from the parsed values. */
export function describeInvocation(job: Job): Block {
  const facts: Array<[string, string]> = [["command", job.command.name]];
  const show = (value: unknown) => (typeof value === "string" ? value : JSON.stringify(value));
  for (const [name, value] of Object.entries(job.auditArgs)) if (value !== undefined) facts.push([name, show(value)]);
  for (const [name, value] of Object.entries(job.checked ?? {}))
    if (value !== undefined) facts.push([name, show(value)]);
  facts.push(["for", job.actor.known ? who(job.actor) : job.actor.id]);
  return out.facts(facts);
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === "object" && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const inner of Object.values(value)) deepFreeze(inner);
  }
  return value;
}

/** Requests, approvals, refusals, expiry and withdrawal of jobs waiting for approval. */
export class ApprovalDesk {
  /** With several instances: decisions go through the job's row. */
  readonly #rows: ApprovalRowDesk | undefined;

  constructor(private readonly deps: ApprovalDeskDeps) {
    if (deps.rows)
      this.#rows = new ApprovalRowDesk(deps, deps.rows, {
        checkApprover: (pending, approver, grants) => this.#checkApprover(pending, approver, grants),
        refused: (jobId, actor, command, error) => this.#refused(jobId, actor, command, error),
        close: (job, outcome, extra, what, audit) => this.#close(job, outcome, extra, what, audit),
        missing: (job) => this.#missing(job),
      });
  }

  /** Puts a job on hold until `approval.count` people approve; the `admitted` entry is written with the request. */
  async request(job: Job, approval: CombinedApproval, admitted: ReturnType<typeof auditRecords.admitted>) {
    const { deps } = this;
    deepFreeze(job.args);
    deepFreeze(job.checked);
    const ttlMs = approval.ttlMs ?? deps.defaultTtlMs;
    const count = approval.count ?? 1;
    const digest = invocationDigest(job);
    job.state = "awaiting-approval";
    job.approval = {
      rule: approval.rule,
      count,
      permission: approval.permission,
      expiresAt: new Date(Date.now() + ttlMs),
      approvers: new Map(),
      timer: this.#expiryTimer(job.id, ttlMs),
      digest,
      requirements: approval.requirements,
      approverRoles: new Map(),
      ...(approval.requireVerifiedDevice ? { requireVerifiedDevice: true } : {}),
    };
    deps.jobs.add(job);
    const recordsOf = () => [
      { ...admitted, jobId: job.id },
      auditRecords.approvalRequested(job, {
        rule: approval.rule,
        count,
        permission: approval.permission,
        ttlMs,
        digest,
      }),
    ];
    if (deps.rows) {
      const rows = deps.rows;
      // The id the message was claimed under; ids are unique per instance only, so it may be taken by a live job of
      // another instance: the job then gets a new id (nothing was written yet) and the claim follows it.
      const claimedAs = job.id;
      for (let attempt = 1; ; attempt++) {
        try {
          await rows.open(
            {
              jobId: job.id,
              instance: rows.instance,
              requester: job.actor.id,
              requesterName: who(job.actor),
              command: job.command.name,
              network: job.message.network,
              room: job.message.room.id,
              digest,
              rule: approval.rule,
              permission: approval.permission,
              count,
              requirements: approval.requirements,
              requireVerifiedDevice: approval.requireVerifiedDevice === true,
              ttlMs,
            },
            recordsOf(),
            ...(job.id !== claimedAs ? [claimedAs] : []),
          );
          break;
        } catch (error) {
          if (error instanceof JobIdTakenError && attempt < 5) {
            deps.logger.warn({ jobId: job.id }, "a live job of another instance has this job's id: taking a new one");
            deps.jobs.remove(job.id);
            job.id = deps.jobs.newId();
            deps.jobs.add(job);
            clearTimeout(job.approval.timer);
            job.approval.timer = this.#expiryTimer(job.id, ttlMs);
            continue;
          }
          // Nothing was written: the job never waited.
          clearTimeout(job.approval.timer);
          deps.jobs.remove(job.id);
          throw error;
        }
      }
    } else await deps.auditLog.append(recordsOf());
    deps.events.emit("approval.requested", {
      job: jobInfo(job),
      count,
      permission: approval.permission,
      rule: approval.rule,
      expiresAt: job.approval.expiresAt,
    });
    const people = count === 1 ? "1 approval" : `${count} approvals`;
    const p = deps.prefix;
    const request = [
      out.status(
        "info",
        `job ${job.id}: ${job.command.name} needs ${people} from someone with ${approval.permission} (${approval.rule}), not ${who(job.actor)}. ` +
          `Approve with "${p}approve ${job.id}" or refuse with "${p}deny ${job.id}" within ${formatDuration(ttlMs)}.`,
      ),
      describeInvocation(job),
    ];
    const sent = await deps.notify(job, request, "notice", { jobId: job.id, approvalRequest: true });
    await deps.board.open({ id: job.id, network: job.message.network, room: job.message.room.id }, request, sent);
  }

  /** Who is still needed: per unmet requirement `N more with PERMISSION`, or `N more` when only the count is short. */
  #missing(job: Job): string[] {
    const approval = job.approval!;
    const missing: string[] = [];
    for (const r of approval.requirements) {
      let holders = 0;
      for (const roles of approval.approverRoles.values())
        if (this.deps.policy.check(roles, r.permission).held) holders++;
      if (holders < r.count) missing.push(`${r.count - holders} more with ${r.permission}`);
    }
    const short = approval.count - approval.approvers.size;
    if (missing.length === 0 && short > 0) missing.push(`${short} more`);
    return missing;
  }

  /**
   * Records `approver`'s approval; starts the job once enough people approved. Returns the answer for them. A
   * refusal (a {@link UserError}) is audited against the waiting job, whichever way the person approved.
   */
  approve(jobId: string, approver: Actor): Promise<string> {
    if (this.#rows) return this.#rows.approve(normalId(jobId), approver);
    return this.#auditRefusal(jobId, approver, "approve", () => this.#approve(jobId, approver));
  }

  /**
   * Checks that `approver` may approve `pending` (throws a {@link UserError} naming why not); returns their roles.
   * `grants`: the runtime grants to decide from (default: the directory's, in memory).
   */
  #checkApprover(pending: Pending, approver: Actor, grants?: GrantView): string[] {
    if (!approver.verified)
      throw new UserError(
        "only people identified with the network can approve",
        "log in with the network's services first",
      );
    if (approver.id === pending.requester)
      throw new UserError(`you requested job ${pending.id}; someone else has to approve it`);
    if (pending.requireVerifiedDevice && approver.sender.deviceVerified !== true)
      throw new UserError(
        `approving job ${pending.id} needs a verified device`,
        "cross-sign this device, then approve again",
      );
    const roles = this.deps.identity.approvalRoles(approver, pending.requester, grants);
    const useful = pending.requirements.filter((r) => this.deps.policy.check(roles, r.permission).held);
    if (useful.length === 0) throw new UserError(this.#notCounted(pending, approver, grants));
    return roles;
  }

  async #approve(jobId: string, approver: Actor): Promise<string> {
    const { deps } = this;
    const job = this.#waiting(jobId);
    const approval = job.approval!;
    const roles = this.#checkApprover(pendingOf(job), approver);
    if (approval.approvers.has(approver.id))
      return `you already approved job ${job.id} (${approval.approvers.size}/${approval.count})`;
    approval.approvers.set(approver.id, who(approver));
    approval.approverRoles.set(approver.id, roles);
    // The last approval: everyone's roles are checked again (one revoked since they approved no longer counts).
    const dropped = approval.approvers.size >= approval.count ? this.#recheckApprovers(job) : [];
    const approvers = [...approval.approvers.keys()];
    const enough =
      approvers.length >= approval.count &&
      requirementsMet(deps.policy, approval.requirements, approval.approverRoles.values());
    // Claim the job before any await, so that two approvals arriving together cannot both start it.
    if (enough) {
      clearTimeout(approval.timer);
      job.state = "running";
      job.startedAt = new Date();
    }
    try {
      await deps.auditLog.append([
        auditRecords.approval(job, approver, approvers.length, approval.count, enough ? approvers : undefined),
      ]);
    } catch (error) {
      approval.approvers.delete(approver.id);
      approval.approverRoles.delete(approver.id);
      if (enough) {
        job.state = "awaiting-approval";
        approval.timer = this.#expiryTimer(job.id, Math.max(0, approval.expiresAt.getTime() - Date.now()));
      }
      throw error;
    }
    const missing = enough ? [] : this.#missing(job);
    deps.events.emit("approval.decided", {
      job: jobInfo(job),
      decision: "approved",
      by: approver.id,
      approvals: approvers.length,
      required: approval.count,
      waitingFor: missing,
    });
    if (!enough) {
      const lost = dropped.length
        ? `; ${dropped.map((d) => `${d} no longer holds ${approval.permission}`).join(", ")}, so that approval no longer counts`
        : "";
      await deps.notify(
        job,
        out.status(
          "info",
          `job ${job.id}: approved by ${who(approver)} (${approvers.length}/${approval.count})${lost}`,
        ),
        "notice",
        { jobId: job.id },
      );
      const names = [...approval.approvers.values()].join(", ");
      const verb = approvers.length === 1 ? "approved" : "have approved";
      await deps.board.progress(
        job.id,
        `${approvers.length} of ${approval.count}: ${names || "nobody"} ${verb}${lost}; waiting for ${missing.join(" and ")}`,
      );
      return `approved job ${job.id} (${approvers.length}/${approval.count})${lost}; waiting for more approvals`;
    }
    if (invocationDigest(job) !== approval.digest) {
      await this.#close(
        job,
        "failed",
        { detail: { error: "the invocation changed after it was approved" } },
        "did not run: what would run is not what was approved",
      );
      throw new UserError(`job ${job.id} did not run: it no longer matches what was approved`);
    }
    const names = [...approval.approvers.values()].join(", ");
    const running = `job ${job.id}: approved by ${names}; running ${job.command.name} for ${who(job.actor)}`;
    await deps.notify(job, out.status("ok", running), "notice", { jobId: job.id });
    await deps.board.close(job.id, "ok", running);
    void executeJob(job, deps.runner, deps.jobs, approvers);
    return `approved job ${job.id}; it is running now for ${who(job.actor)}`;
  }

  /** Refuses a waiting job: people with the approval permission, or its requester (withdrawing it). */
  deny(jobId: string, by: Actor): Promise<string> {
    if (this.#rows) return this.#rows.deny(normalId(jobId), by);
    return this.#auditRefusal(jobId, by, "deny", () => this.#deny(jobId, by));
  }

  /** Runs an approval or refusal; when the desk refuses it, writes one `denied` entry for the waiting job. */
  async #auditRefusal(jobId: string, actor: Actor, command: string, decide: () => Promise<string>): Promise<string> {
    try {
      return await decide();
    } catch (error) {
      if (error instanceof UserError && this.deps.jobs.get(jobId)) await this.#refused(jobId, actor, command, error);
      throw error;
    }
  }

  /** Writes the `denied` entry of an approval or refusal the desk refused, against the waiting job. */
  async #refused(jobId: string, actor: Actor, command: string, error: UserError): Promise<void> {
    await this.deps.auditLog
      .append([
        {
          event: "denied",
          jobId,
          actor: actor.id,
          command,
          network: actor.network,
          decision: "denied",
          outcome: "denied",
          rule: "approval",
          detail: { reason: error.message },
        },
      ])
      .catch((err: unknown) => this.deps.logger.error({ err }, "could not write to the audit log"));
  }

  async #deny(jobId: string, by: Actor): Promise<string> {
    const job = this.#waiting(jobId);
    const approval = job.approval!;
    const roles = this.deps.identity.approvalRoles(by, job.actor.id);
    const mayRefuse = approval.requirements.some((r) => this.deps.policy.check(roles, r.permission).held);
    if (by.id !== job.actor.id && !mayRefuse) {
      throw new UserError(`refusing job ${job.id} needs permission ${approval.permission} (or being its requester)`);
    }
    await this.#close(job, "rejected", { decision: "rejected", detail: { by: by.id } }, `was refused by ${who(by)}`);
    this.deps.events.emit("approval.decided", { job: jobInfo(job), decision: "rejected", by: by.id });
    return `job ${job.id} refused`;
  }

  /** Withdraws a waiting job (the `cancel` command, by its requester or someone with `jobs:cancel`). */
  async withdraw(job: Job, by: Actor): Promise<void> {
    if (this.#rows) {
      const what = `was withdrawn by ${who(by)}`;
      if (await this.#rows.close(job, "cancelled", { detail: { cancelledBy: by.id } }, what, by.id)) return;
      throw new UserError(`job ${job.id} was approved just now and is starting`, "cancel it again to stop it");
    }
    await this.#close(job, "cancelled", { detail: { cancelledBy: by.id } }, `was withdrawn by ${who(by)}`);
    this.deps.events.emit("approval.decided", { job: jobInfo(job), decision: "cancelled", by: by.id });
  }

  /**
   * Withdraws a job waiting for approval that this instance does not hold, through its row (several instances on one
   * database); undefined when there is no such row (or no rows: one instance).
   */
  async withdrawElsewhere(jobId: string, by: Actor): Promise<JobInfo | undefined> {
    return this.#rows?.cancel(normalId(jobId), by);
  }

  /** Closes every waiting job (shutdown): each gets its outcome entry, so the chain has no open request. */
  async closeAll(reason: string): Promise<void> {
    for (const job of this.deps.jobs.list()) {
      if (job.state !== "awaiting-approval") continue;
      if (this.#rows) {
        const what = `was closed: the bot is ${reason}`;
        const closed = await this.#rows
          .close(job, "cancelled", { detail: { cancelledBy: reason } }, what, reason)
          .catch((err: unknown) => {
            // The database is gone: close it here; its row is abandoned with this instance's claims.
            this.deps.logger.error({ err, jobId: job.id }, "could not close the approval row of a waiting job");
            return this.#close(job, "cancelled", {}, what, false).then(() => true);
          });
        if (!closed) this.deps.logger.warn({ jobId: job.id }, "a waiting job was approved while shutting down");
        continue;
      }
      await this.#close(job, "cancelled", { detail: { cancelledBy: reason } }, `was closed: the bot is ${reason}`);
      this.deps.events.emit("approval.decided", { job: jobInfo(job), decision: "cancelled", by: reason });
    }
  }

  /**
   * Computes every earlier approver's roles again (a role revoked or a principal changed since they approved);
   * those who no longer hold any of the job's approval permissions are removed. Returns their names.
   */
  #recheckApprovers(job: Job): string[] {
    const approval = job.approval!;
    const dropped: string[] = [];
    for (const [id, name] of approval.approvers) {
      const roles = this.deps.identity.approvalRoles({ id, verified: true }, job.actor.id);
      approval.approverRoles.set(id, roles);
      if (approval.requirements.some((r) => this.deps.policy.check(roles, r.permission).held)) continue;
      approval.approvers.delete(id);
      approval.approverRoles.delete(id);
      dropped.push(name);
    }
    return dropped;
  }

  /** Why an approver's roles do not count for this job: a role the requester granted, a laundered grant, or none. */
  #notCounted(pending: Pending, approver: Actor, grants?: GrantView): string {
    const { identity, policy } = this.deps;
    const needs = `approving job ${pending.id} needs permission ${pending.permission}`;
    const holds = (role: string) => pending.requirements.some((r) => policy.check([role], r.permission).held);
    for (const role of identity.grantedRoles(approver.id, grants).filter(holds)) {
      const by = identity.grantorOf(approver.id, role, grants);
      if (by === pending.requester)
        return `${needs}; yours comes from a role ${pending.requesterName} granted, which does not count for approving their own jobs`;
      if (by !== undefined)
        return `${needs}; yours comes from role ${role} granted by ${by}, whose power to grant it does not come from the configuration, so it does not count for approvals`;
    }
    return `${needs}, which your roles (${identity.rolesIn(approver, grants).join(", ")}) do not grant`;
  }

  async #expire(jobId: string): Promise<void> {
    const job = this.deps.jobs.get(jobId);
    if (job?.state !== "awaiting-approval") return;
    const approvals = job.approval?.approvers.size ?? 0;
    if (this.#rows) {
      await this.#rows
        .close(job, "expired", { detail: { approvals } }, "expired without enough approvals")
        .catch((err: unknown) => this.deps.logger.error({ err, jobId }, "could not close an expired approval row"));
      return;
    }
    await this.#close(job, "expired", { detail: { approvals } }, "expired without enough approvals");
    this.deps.events.emit("approval.decided", { job: jobInfo(job), decision: "expired" });
  }

  #expiryTimer(jobId: string, ms: number): NodeJS.Timeout {
    const timer = setTimeout(() => void this.#expire(jobId), ms);
    timer.unref?.();
    return timer;
  }

  /** Ends a waiting job without running it: audited, and announced where it was asked. */
  async #close(
    job: Job,
    outcome: "rejected" | "expired" | "cancelled" | "failed",
    extra: Parameters<typeof auditRecords.outcome>[2],
    what: string,
    /** False when the outcome entry is already written (by the transaction that closed the job's row). */
    audit = true,
  ): Promise<void> {
    const { deps } = this;
    if (job.approval) clearTimeout(job.approval.timer);
    deps.jobs.remove(job.id);
    if (audit)
      await deps.auditLog
        .append([auditRecords.outcome(job, outcome, extra)])
        .catch((err: unknown) => deps.logger.error({ err }, "could not write to the audit log"));
    deps.events.emit("job.finished", { job: jobInfo(job), outcome, durationMs: 0 });
    const line = `job ${job.id} (${job.command.name}) ${what}`;
    await deps.notify(job, out.status("warn", line), "notice", { jobId: job.id });
    await deps.board.close(job.id, "warn", line);
  }

  #waiting(jobId: string): Job {
    const job = this.deps.jobs.get(jobId);
    if (!job) throw new UserError(`no job ${jobId} is waiting for approval`, `see ${this.deps.prefix}jobs`);
    if (job.state !== "awaiting-approval")
      throw new UserError(`job ${job.id} is not waiting for approval (it is ${job.state})`);
    return job;
  }
}
