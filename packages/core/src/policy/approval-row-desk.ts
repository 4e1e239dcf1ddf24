/**
 * The approval desk with several instances on one database (a store with {@link ApprovalRows}): every decision on
 * a waiting job goes through its row — read under a lock, checked here as a local approval is checked, and written
 * with its audit entry in one transaction, whichever instance received it. The instance holding the job mirrors its
 * row: it announces approvals given anywhere in the job's room, starts the job once its row is approved (a
 * conditional update lets exactly one caller through), and closes it when its row was closed.
 * @module
 */
import { auditRecords } from "../audit/audit-records.js";
import type { JobInfo } from "../commands/command.js";
import { executeJob } from "../jobs/job-runner.js";
import { type Job, jobInfo } from "../jobs/jobs.js";
import { out } from "../output/output.js";
import { DeniedError, UserError } from "../runtime/errors.js";
import type { ApprovalDeskDeps } from "./approval-desk.js";
import { invocationDigest, type Pending, requirementsMet } from "./approval-facts.js";
import type { ApprovalRows, RowDecision, WaitingJobState } from "./approval-rows.js";
import { type Actor, GRANT_NAMESPACES, type GrantView, who } from "./identity.js";

/** What the row desk uses of the desk: the checks and the local close it shares with one instance's approvals. */
export interface DeskShared {
  /**
   * Checks that `approver` may approve `pending` by the runtime grants in `grants`; throws a {@link UserError}
   * naming why not. Returns their roles.
   */
  checkApprover(pending: Pending, approver: Actor, grants: GrantView): string[];
  /** Writes the `denied` entry of a refused approval or refusal. */
  refused(jobId: string, actor: Actor, command: string, error: UserError): Promise<void>;
  /** Ends a waiting job here without running it; `audit: false` when its outcome entry is already written. */
  close(
    job: Job,
    outcome: "rejected" | "expired" | "cancelled" | "failed",
    extra: Parameters<typeof auditRecords.outcome>[2],
    what: string,
    audit?: boolean,
  ): Promise<void>;
  /** Who is still needed for a job held here. */
  missing(job: Job): string[];
}

/** A row as the audit records name its job. */
const rowAbout = (row: WaitingJobState) => ({
  id: row.jobId,
  actor: { id: row.requester },
  command: { name: row.command },
});

/** Decisions on waiting jobs through their rows (see the module comment). */
export class ApprovalRowDesk {
  readonly #deps: ApprovalDeskDeps;
  readonly #rows: ApprovalRows;
  readonly #desk: DeskShared;
  /** Per job, the mirroring of its row into this instance (one at a time). */
  readonly #syncs = new Map<string, Promise<unknown>>();

  constructor(deps: ApprovalDeskDeps, rows: ApprovalRows, desk: DeskShared) {
    this.#deps = deps;
    this.#rows = rows;
    this.#desk = desk;
    rows.watch((jobId) => {
      const ids = jobId === undefined ? deps.jobs.list().map((job) => job.id) : [jobId];
      for (const id of ids)
        this.sync(id).catch((err: unknown) =>
          deps.logger.warn({ err, jobId: id }, "could not read the approval row of a waiting job (read again soon)"),
        );
    });
  }

  /** Approves through the job's row: the vote and its audit entry in one transaction, on whichever instance. */
  async approve(jobId: string, approver: Actor): Promise<string> {
    const deps = this.#deps;
    const rows = this.#rows;
    let known = false;
    try {
      // The grants are read in the vote's transaction: a role revoked through another instance never counts here,
      // even if this instance has not heard of the revoke yet.
      const decided = await rows.decide<string | ApproveResult>(
        jobId,
        (state, read) => {
          known = state !== undefined;
          const row = this.#pendingRow(jobId, state);
          const grants = deps.identity.grantsFrom(read);
          const roles = this.#desk.checkApprover(pendingOfRow(row), approver, grants);
          const votes = new Map(row.votes.map((v) => [v.approver, v]));
          if (votes.has(approver.id))
            return unchanged(`you already approved job ${row.jobId} (${votes.size}/${row.count})`);
          votes.set(approver.id, { approver: approver.id, name: who(approver), roles });
          // The last approval: everyone's roles are checked again (one revoked since they approved no longer counts).
          const dropped: string[] = [];
          if (votes.size >= row.count)
            for (const vote of votes.values()) {
              const now = deps.identity.approvalRoles({ id: vote.approver, verified: true }, row.requester, grants);
              vote.roles = now;
              if (row.requirements.some((r) => deps.policy.check(now, r.permission).held)) continue;
              votes.delete(vote.approver);
              dropped.push(vote.approver);
            }
          const kept = [...votes.values()];
          const roleSets = kept.map((v) => v.roles);
          const enough = kept.length >= row.count && requirementsMet(deps.policy, row.requirements, roleSets);
          const ids = kept.map((v) => v.approver);
          return {
            change: {
              kind: "vote",
              vote: votes.get(approver.id) ?? { approver: approver.id, name: who(approver), roles },
              dropped,
              approved: enough,
            },
            records: [auditRecords.approval(rowAbout(row), approver, kept.length, row.count, enough ? ids : undefined)],
            result: {
              row,
              enough,
              approvals: kept.length,
              lost: dropped.map((id) => row.votes.find((v) => v.approver === id)?.name ?? id),
            },
          };
        },
        GRANT_NAMESPACES,
      );
      if (typeof decided === "string") return decided;
      const { row, enough, approvals, lost } = decided;
      const here = row.instance === rows.instance ? await this.sync(row.jobId) : undefined;
      const dropped = lost.length
        ? `; ${lost.map((d) => `${d} no longer holds ${row.permission}`).join(", ")}, so that approval no longer counts`
        : "";
      if (!enough) return `approved job ${row.jobId} (${approvals}/${row.count})${dropped}; waiting for more approvals`;
      if (here === "mismatch")
        throw new UserError(`job ${row.jobId} did not run: it no longer matches what was approved`);
      if (here !== undefined) return `approved job ${row.jobId}; it is running now for ${row.requesterName}`;
      return `approved job ${row.jobId}; instance ${row.instance}, which holds it, starts it now for ${row.requesterName}`;
    } catch (error) {
      if (error instanceof UserError && known) await this.#desk.refused(jobId, approver, "approve", error);
      throw error;
    }
  }

  /** Refuses (or, by its requester, withdraws) through the job's row, on whichever instance. */
  async deny(jobId: string, by: Actor): Promise<string> {
    const deps = this.#deps;
    const rows = this.#rows;
    let known = false;
    try {
      const holder = await rows.decide<string>(
        jobId,
        (state, read) => {
          known = state !== undefined;
          const row = this.#pendingRow(jobId, state);
          const roles = deps.identity.approvalRoles(by, row.requester, deps.identity.grantsFrom(read));
          const mayRefuse = row.requirements.some((r) => deps.policy.check(roles, r.permission).held);
          if (by.id !== row.requester && !mayRefuse)
            throw new UserError(
              `refusing job ${row.jobId} needs permission ${row.permission} (or being its requester)`,
            );
          return {
            change: { kind: "close", outcome: "rejected", note: `was refused by ${who(by)}`, by: by.id },
            records: [auditRecords.outcome(rowAbout(row), "rejected", { decision: "rejected", detail: { by: by.id } })],
            result: row.instance,
          };
        },
        GRANT_NAMESPACES,
      );
      if (holder === rows.instance) await this.sync(jobId);
      return `job ${jobId} refused`;
    } catch (error) {
      if (error instanceof UserError && known) await this.#desk.refused(jobId, by, "deny", error);
      throw error;
    }
  }

  /**
   * Withdraws a job waiting for approval through its row (the `cancel` command on an instance that does not hold it),
   * with the rules of a local cancel: its requester, or someone verified holding `jobs:cancel` (by the grants read in
   * the transaction). The close and its outcome entry are one transaction on the locked row, as a local withdrawal
   * writes them; the holder is told and closes the job in its room. A job approved meanwhile is not withdrawn: of a
   * cancel and an approval racing, the first to lock the row wins. A job running (or starting) on another live
   * instance is not cancelled from here: a {@link UserError} names the instance. Undefined when no instance has
   * `jobId` (no row, no running claim).
   */
  async cancel(jobId: string, by: Actor): Promise<JobInfo | undefined> {
    const deps = this.#deps;
    const rows = this.#rows;
    const row = await rows.decide<WaitingJobState | undefined>(
      jobId,
      (state, read) => {
        if (!state) return unchanged(undefined);
        const roles = deps.identity.rolesIn(by, deps.identity.grantsFrom(read));
        if (state.requester !== by.id && !(by.verified && deps.policy.check(roles, "jobs:cancel").held))
          throw new DeniedError(
            `job ${state.jobId} belongs to ${state.requesterName}; cancelling it needs permission jobs:cancel`,
            "command cancel",
          );
        if (state.status === "approved" && state.holderAlive)
          throw runsElsewhere(state.jobId, state.instance, "was approved just now and is starting");
        if (state.status === "running" && state.holderAlive) throw runsElsewhere(state.jobId, state.instance);
        const waiting = this.#pendingRow(jobId, state);
        return {
          change: { kind: "close", outcome: "cancelled", note: `was withdrawn by ${who(by)}`, by: by.id },
          records: [auditRecords.outcome(rowAbout(waiting), "cancelled", { detail: { cancelledBy: by.id } })],
          result: waiting,
        };
      },
      GRANT_NAMESPACES,
    );
    if (!row) {
      // No row: a job that needed no approval may still run on another instance; say where, not "no such job".
      const instance = await rows.runningOn?.(jobId);
      if (instance !== undefined) throw runsElsewhere(jobId, instance);
      return undefined;
    }
    if (row.instance === rows.instance) await this.sync(row.jobId);
    return { id: row.jobId, command: row.command, actor: row.requester, state: "awaiting-approval", args: {} };
  }

  /**
   * Closes a job held here through its row (expiry, withdrawal, shutdown), if it is still waiting; then mirrors the
   * close here. False when it was no longer waiting (approved meanwhile: it starts).
   */
  async close(
    job: Job,
    outcome: "expired" | "cancelled",
    extra: Parameters<typeof auditRecords.outcome>[2],
    what: string,
    by?: string,
  ): Promise<boolean> {
    const rows = this.#rows;
    const closed = await rows.decide<boolean>(job.id, (state) =>
      state?.status === "waiting" && state.instance === rows.instance
        ? {
            change: { kind: "close", outcome, note: what, ...(by !== undefined ? { by } : {}) },
            records: [auditRecords.outcome(job, outcome, extra)],
            result: true,
          }
        : unchanged(false),
    );
    await this.sync(job.id);
    return closed;
  }

  /** The row of a job that can still be decided; otherwise a {@link UserError} saying where it is. */
  #pendingRow(jobId: string, state: WaitingJobState | undefined): WaitingJobState {
    if (!state) throw new UserError(`no job ${jobId} is waiting for approval`, `see ${this.#deps.prefix}jobs`);
    const gone = state.status === "abandoned" || (!state.holderAlive && ["waiting", "approved"].includes(state.status));
    if (gone)
      throw new UserError(
        `job ${state.jobId} was abandoned: instance ${state.instance}, which held it, stopped; it will not run`,
        `ask for it again (${this.#deps.prefix}${state.command} …)`,
      );
    if (state.status !== "waiting")
      throw new UserError(`job ${state.jobId} is not waiting for approval (it is ${statusWord(state)})`);
    if (state.expired) throw new UserError(`job ${state.jobId} is not waiting for approval (it expired)`);
    return state;
  }

  /** Mirrors job `jobId`'s row into this instance (one at a time per job); see {@link ApprovalRowDesk.#syncOnce}. */
  sync(jobId: string): Promise<SyncResult> {
    const before = this.#syncs.get(jobId) ?? Promise.resolve();
    const run = before.catch(() => {}).then(() => this.#syncOnce(jobId));
    this.#syncs.set(jobId, run);
    const forget = () => {
      if (this.#syncs.get(jobId) === run) this.#syncs.delete(jobId);
    };
    run.then(forget, forget);
    return run;
  }

  /**
   * For a job held here and still waiting: announces approvals given anywhere, starts it once its row is approved
   * (the conditional update to `running` lets exactly one caller through), closes it when its row was closed.
   */
  async #syncOnce(jobId: string): Promise<SyncResult> {
    const deps = this.#deps;
    const rows = this.#rows;
    const job = deps.jobs.get(jobId);
    if (!job?.approval || job.state !== "awaiting-approval") return "nothing";
    const state = await rows.read(job.id);
    if (!state || state.instance !== rows.instance) return "nothing";
    const approval = job.approval;
    const lost: string[] = [];
    for (const [id, name] of approval.approvers)
      if (!state.votes.some((v) => v.approver === id)) {
        approval.approvers.delete(id);
        approval.approverRoles.delete(id);
        lost.push(name);
      }
    const fresh = state.votes.filter((v) => !approval.approvers.has(v.approver));
    for (const vote of fresh) {
      approval.approvers.set(vote.approver, vote.name);
      approval.approverRoles.set(vote.approver, vote.roles);
    }
    const waitingFor = state.status === "waiting" ? this.#desk.missing(job) : [];
    for (const vote of fresh)
      deps.events.emit("approval.decided", {
        job: jobInfo(job),
        decision: "approved",
        by: vote.approver,
        approvals: state.votes.length,
        required: approval.count,
        waitingFor,
      });
    if (state.status === "approved") return this.#startApproved(job, state);
    if (state.status === "closed" || state.status === "abandoned") {
      const outcome = state.outcome ?? "cancelled";
      const what = state.note ?? "was abandoned: this instance was taken for stopped";
      await this.#desk.close(job, outcome, {}, what, false);
      if (outcome !== "failed")
        deps.events.emit("approval.decided", {
          job: jobInfo(job),
          decision: outcome,
          ...(state.closedBy !== undefined ? { by: state.closedBy } : {}),
        });
      return "closed";
    }
    if (state.status === "waiting" && fresh.length > 0) {
      const count = `${state.votes.length}/${approval.count}`;
      const dropped = lost.length
        ? `; ${lost.map((d) => `${d} no longer holds ${approval.permission}`).join(", ")}, so that approval no longer counts`
        : "";
      const by = fresh.map((v) => v.name).join(", ");
      await deps.notify(job, out.status("info", `job ${job.id}: approved by ${by} (${count})${dropped}`), "notice", {
        jobId: job.id,
      });
      const names = [...approval.approvers.values()].join(", ");
      const verb = approval.approvers.size === 1 ? "approved" : "have approved";
      await deps.board.progress(
        job.id,
        `${approval.approvers.size} of ${approval.count}: ${names || "nobody"} ${verb}${dropped}; waiting for ${waitingFor.join(" and ")}`,
      );
    }
    return "waiting";
  }

  /** Starts an approved job held here, once: only the caller whose update moved its row to `running` goes on. */
  async #startApproved(job: Job, state: WaitingJobState): Promise<SyncResult> {
    const deps = this.#deps;
    if (!(await this.#rows.start(job.id))) return "nothing";
    const approval = job.approval!;
    clearTimeout(approval.timer);
    job.state = "running";
    job.startedAt = new Date();
    if (invocationDigest(job) !== approval.digest || state.digest !== approval.digest) {
      await this.#desk.close(
        job,
        "failed",
        { detail: { error: "the invocation changed after it was approved" } },
        "did not run: what would run is not what was approved",
      );
      return "mismatch";
    }
    const names = state.votes.map((v) => v.name).join(", ");
    const running = `job ${job.id}: approved by ${names}; running ${job.command.name} for ${who(job.actor)}`;
    await deps.notify(job, out.status("ok", running), "notice", { jobId: job.id });
    await deps.board.close(job.id, "ok", running);
    void executeJob(
      job,
      deps.runner,
      deps.jobs,
      state.votes.map((v) => v.approver),
    );
    return "started";
  }
}

/** An approval recorded through a row. */
interface ApproveResult {
  row: WaitingJobState;
  enough: boolean;
  approvals: number;
  /** Earlier approvers who no longer hold the permission (their approvals were removed). */
  lost: string[];
}

/** What mirroring a row did here. */
type SyncResult = "nothing" | "waiting" | "started" | "mismatch" | "closed";

/** A job id as people type it (`#K3J9X` → `k3j9x`), as the job table reads it. */
export function normalId(jobId: string): string {
  return jobId.toLowerCase().replace(/^#/, "");
}

/**
 * The answer to `cancel` of a job another instance runs: only that instance can stop it (its AbortSignal is there),
 * and a cancel is not forwarded.
 */
function runsElsewhere(jobId: string, instance: string, what = "runs"): UserError {
  return new UserError(
    `job ${jobId} ${what} on instance ${instance}, which alone can stop it; it cannot be cancelled from this one`,
    `send the cancel again: it has to reach instance ${instance} (any instance may get a command)`,
  );
}

/** A decision that changes nothing. */
function unchanged<T>(result: T): RowDecision<T> {
  return { change: { kind: "none" }, records: [], result };
}

function pendingOfRow(row: WaitingJobState): Pending {
  return {
    id: row.jobId,
    requester: row.requester,
    requesterName: row.requesterName,
    permission: row.permission,
    requirements: row.requirements,
    requireVerifiedDevice: row.requireVerifiedDevice,
  };
}

function statusWord(state: WaitingJobState): string {
  if (state.status === "approved") return "approved and starting";
  if (state.status === "closed") return state.outcome === "rejected" ? "refused" : (state.outcome ?? "closed");
  return state.status === "done" ? "finished" : state.status;
}
