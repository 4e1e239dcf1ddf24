/**
 * Dispatch: one command line from one message, through evaluation, the audit log, `check`, the approval desk and
 * the job runner. Every path ends in exactly one answer and a closed audit trail.
 * @module
 */

import type { SentMessage } from "../adapters/adapter.js";
import type { IncomingMessage } from "../adapters/message.js";
import type { AuditLog } from "../audit/audit.js";
import { auditRecords } from "../audit/audit-records.js";
import type { CheckContext, CheckedFacts } from "../commands/command.js";
import { executeJob, type JobRunnerDeps, locksFor } from "../jobs/job-runner.js";
import { type Job, JobController, type JobTable, jobInfo, type Responder, redactArgs } from "../jobs/jobs.js";
import { type OutgoingMessage, out, type Reply, toBlocks } from "../output/output.js";
import type { ApprovalDesk } from "../policy/approval-desk.js";
import type { Actor } from "../policy/identity.js";
import type { Decision } from "../policy/permissions.js";
import { DeniedError, UserError } from "../runtime/errors.js";
import type { EventBus } from "../runtime/events.js";
import type { Logger } from "../runtime/logger.js";
import { type EvaluationDeps, evaluate } from "./evaluate.js";
import { appendFirst, isClaimingAuditLog } from "./intake-claim.js";
import { describeInternalError, unknownCommandText, userErrorBlock } from "./user-errors.js";

/** What dispatch needs from the bot. */
export interface DispatchDeps extends EvaluationDeps {
  auditLog: AuditLog;
  jobs: JobTable;
  desk: ApprovalDesk;
  runner: JobRunnerDeps;
  logger: Logger;
  events: EventBus;
}

/** Sends a reply through a responder, never throwing (a failed delivery is logged). */
export async function deliver(
  respond: Responder,
  logger: Logger,
  reply: Reply,
  kind: OutgoingMessage["kind"] = "reply",
  extra: Partial<OutgoingMessage> = {},
): Promise<void> {
  await deliverSent(respond, logger, reply, kind, extra);
}

/** {@link deliver}, resolving to what was sent when the network gave an id (to edit it later). */
export async function deliverSent(
  respond: Responder,
  logger: Logger,
  reply: Reply,
  kind: OutgoingMessage["kind"] = "reply",
  extra: Partial<OutgoingMessage> = {},
): Promise<SentMessage | undefined> {
  try {
    return (await respond({ blocks: toBlocks(reply), kind, ...extra })) || undefined;
  } catch (err) {
    logger.warn({ err }, "could not deliver a reply");
    return undefined;
  }
}

/** Runs command lines. */
export class Dispatcher {
  constructor(readonly deps: DispatchDeps) {}

  /**
   * Handles one command line said by `actor` (resolved once, at intake); never rejects (internal errors are
   * logged, audited and answered with an id).
   */
  async run(message: IncomingMessage, text: string, respond: Responder, actor: Actor): Promise<void> {
    try {
      await this.#dispatch(message, text, respond, actor);
    } catch (error) {
      if (error instanceof UserError) {
        await deliver(respond, this.deps.logger, userErrorBlock(error));
        return;
      }
      const { logger, auditLog } = this.deps;
      const internal = describeInternalError(logger, error, { network: message.network, messageId: message.id });
      await auditLog
        .append([auditRecords.error(message.network, message.room.id, internal.errorId, internal.detail)])
        .catch((err: unknown) => logger.error({ err }, "could not write to the audit log"));
      await deliver(respond, logger, internal.chat);
    }
  }

  async #dispatch(message: IncomingMessage, text: string, respond: Responder, who: Actor): Promise<void> {
    const { deps } = this;
    const evaluation = evaluate(deps, message, text, who);
    if (!evaluation.found) {
      deps.events.emit("command.unknown", { network: message.network });
      await deliver(respond, deps.logger, out.status("fail", unknownCommandText(evaluation, deps.prefix)));
      return;
    }
    const { entry, actor, args, decision, alias } = evaluation;
    const { command } = entry;
    const job: Job = {
      id: deps.jobs.newId(),
      command,
      args,
      auditArgs: entry.hasSecrets ? redactArgs(command, args) : args,
      actor,
      message,
      respond,
      state: "running",
      createdAt: new Date(),
      controller: new JobController(),
    };
    if (alias) job.alias = entry.hasSecrets ? { name: alias.name } : alias;
    const auditText = entry.hasSecrets ? undefined : text;
    if (!decision.allowed) {
      await this.#deny(
        job,
        decision.rule,
        decision.reason,
        auditText,
        out.status("fail", `denied: ${decision.reason}`),
      );
      return;
    }
    let checked: CheckedFacts = {};
    if (command.check) {
      const facts = await this.#check(job, decision, auditText);
      if (!facts) return;
      checked = facts;
      job.checked = facts;
    }
    const admitted = auditRecords.admitted(job, decision, auditText, checked);
    const claiming = isClaimingAuditLog(deps.auditLog);
    if (decision.approval) {
      // Several instances: claim the message (its own commit, just before the request's entries).
      if (claiming && !(await appendFirst(deps.auditLog, deps.logger, message, [], job.id))) return;
      await deps.desk.request(job, decision.approval, admitted);
      return;
    }
    deps.jobs.add(job);
    job.startedAt = job.createdAt;
    if (command.sideEffect || claiming) {
      // Write-ahead: a command that changes something outside the bot is on record before it starts. With several
      // instances every command is, so that the message is claimed (with `admitted`) before anything runs.
      const first = await appendFirst(deps.auditLog, deps.logger, message, [admitted]).catch((error: unknown) => {
        deps.jobs.remove(job.id);
        throw error;
      });
      if (!first) {
        deps.jobs.remove(job.id);
        return;
      }
    } else {
      // Read-only: the runner writes `admitted` with the outcome (one commit), or before the first message it sends.
      job.pendingAdmitted = admitted;
    }
    await executeJob(job, deps.runner, deps.jobs, []);
  }

  async #deny(job: Job, rule: string, reason: string, auditText: string | undefined, answer: Reply): Promise<void> {
    const { deps } = this;
    if (
      !(await appendFirst(deps.auditLog, deps.logger, job.message, [auditRecords.denied(job, rule, reason, auditText)]))
    )
      return;
    deps.events.emit("job.finished", { job: jobInfo(job), outcome: "denied", durationMs: 0 });
    await deliver(job.respond, deps.logger, answer);
  }

  /**
   * Runs a command's check before approval or start. On a refusal or failure it writes the audit trail, answers,
   * and returns undefined; otherwise the facts the check established.
   */
  async #check(
    job: Job,
    decision: Decision & { allowed: true },
    auditText: string | undefined,
  ): Promise<CheckedFacts | undefined> {
    const { deps } = this;
    const { command } = job;
    // A check only reads locks; anything it held is released when it returns (the handler holds what it runs under).
    const locks = locksFor(deps.runner.store, job.actor.id, job.id);
    const context: CheckContext<Record<string, unknown>> = {
      args: job.args,
      actor: job.actor,
      message: job.message,
      job: { id: job.id, command: command.name },
      signal: job.controller.signal,
      reply: (reply) => deliver(job.respond, deps.logger, reply, "reply", { jobId: job.id }),
      store: deps.runner.storeFor(command.plugin),
      locks,
      logger: deps.logger.child({ jobId: job.id, command: command.name }),
    };
    try {
      return (await command.check!(context)) ?? {};
    } catch (error) {
      if (error instanceof DeniedError) {
        await this.#deny(job, error.rule, error.message, auditText, userErrorBlock(error));
        return undefined;
      }
      const admitted = auditRecords.admitted(job, decision, auditText, {});
      let answer: Reply;
      let outcome: ReturnType<typeof auditRecords.outcome>;
      if (error instanceof UserError) {
        outcome = auditRecords.outcome(job, "failed", { detail: { error: error.message } });
        answer = userErrorBlock(error);
      } else {
        const internal = describeInternalError(deps.logger, error, { jobId: job.id });
        outcome = auditRecords.outcome(job, "failed", { errorId: internal.errorId, detail: internal.detail });
        answer = internal.chat;
      }
      if (!(await appendFirst(deps.auditLog, deps.logger, job.message, [admitted, outcome]))) return undefined;
      deps.events.emit("job.finished", { job: jobInfo(job), outcome: "failed", durationMs: 0 });
      await deliver(job.respond, deps.logger, answer);
      return undefined;
    } finally {
      await locks.releaseHeld().catch(() => {});
    }
  }
}
