/**
 * Runs one job: context, timeout, cancellation, progress, the final reply and the outcome in the audit log.
 * @module
 */
import type { AuditLog, AuditOutcome } from "./audit.js";
import { auditRecords } from "./audit-records.js";
import type { CommandContext, JobControl, JobLocks } from "./command.js";
import { formatDuration } from "./duration.js";
import { DeniedError, JobCancelledError, JobTimeoutError, UserError } from "./errors.js";
import type { EventBus } from "./events.js";
import type { Actor } from "./identity.js";
import { type Job, jobInfo } from "./jobs.js";
import type { Logger } from "./logger.js";
import { type OutgoingMessage, out, type Reply, type StatusLevel, toBlocks } from "./output.js";
import { ProgressStream } from "./progress.js";
import type { Store } from "./store.js";
import { describeInternalError, userErrorBlock } from "./user-errors.js";

/** What the runner needs from the bot. */
export interface JobRunnerDeps {
  auditLog: AuditLog;
  store: Store;
  logger: Logger;
  events: EventBus;
  defaultTimeoutMs: number;
  progressIntervalMs: number;
  /** After a cancel or timeout, how long the outcome waits for the handler to finish cleaning up. */
  cleanupGraceMs: number;
  /** The store view for a plugin (or core). */
  storeFor(plugin: string | undefined): Store;
  /** Other jobs, as seen (and cancelled) by an actor. */
  jobsFor(actor: Actor): JobControl;
}

/** How a job ended. */
export interface JobResult {
  outcome: AuditOutcome;
  errorId?: string;
}

/** Leases owned by `owner` (a job's actor). */
export function locksFor(store: Store, owner: string): JobLocks {
  return {
    acquire: (name, reason, ttlMs) => store.acquireLock({ name, owner, reason, ttlMs }),
    release: (name) => store.releaseLock(name, owner),
    breakLock: async (name) => {
      const held = (await store.listLocks()).find((lock) => lock.name === name);
      if (!held) return undefined;
      return (await store.releaseLock(name, held.owner)) ? held : undefined;
    },
    list: () => store.listLocks(),
  };
}

/**
 * Runs an admitted job (its `admitted` or final `approval` entry is written, or pending in `job.admitted` for a
 * read-only command); resolves after its outcome is written and its last message sent.
 */
export async function runJob(job: Job, deps: JobRunnerDeps, approvers: string[]): Promise<JobResult> {
  const { command } = job;
  let jobLogger: Logger | undefined;
  const logger = () => (jobLogger ??= deps.logger.child({ jobId: job.id, command: command.name }));
  const started = Date.now();
  const signal = job.controller.signal;
  const timeoutMs = command.timeoutMs ?? deps.defaultTimeoutMs;
  const timer = setTimeout(() => job.controller.abort(new JobTimeoutError(timeoutMs)), timeoutMs);
  timer.unref?.();

  deps.events.emit("job.started", { job: jobInfo(job), network: job.message.network, room: job.message.room.id });
  let chain: Promise<unknown> = job.admitted ?? Promise.resolve();
  const send = (message: OutgoingMessage): Promise<void> => {
    chain = chain
      .then(() => job.respond(message))
      .catch((error: unknown) => logger().warn({ err: error }, "could not deliver a reply"));
    return chain as Promise<void>;
  };
  let stream: ProgressStream | undefined;
  const progress = () =>
    (stream ??= new ProgressStream(
      (lines) => send({ blocks: [out.code(lines.join("\n"))], kind: "progress", jobId: job.id }),
      deps.progressIntervalMs,
    ));
  const context: CommandContext<Record<string, unknown>> = {
    args: job.args,
    actor: job.actor,
    approvers,
    message: job.message,
    job: { id: job.id, command: command.name },
    signal,
    reply: (reply) => send({ blocks: toBlocks(reply), kind: "reply", jobId: job.id }),
    progress: (line) => progress().push(line),
    store: deps.storeFor(command.plugin),
    get locks() {
      return locksFor(deps.store, job.actor.id);
    },
    get logger() {
      return logger();
    },
    checked: job.checked ?? {},
    get jobs() {
      return deps.jobsFor(job.actor);
    },
  };

  let result: JobResult = { outcome: "succeeded" };
  let handler: Promise<Reply | undefined> | undefined;
  let detail: Record<string, unknown> | undefined;
  let rule: string | undefined;
  /** The last message of the job: sent only once the outcome is in the audit log. */
  let final: OutgoingMessage | undefined;
  const notice = (level: StatusLevel, text: string): OutgoingMessage => ({
    blocks: [out.status(level, text)],
    kind: "notice",
    jobId: job.id,
  });
  try {
    const aborted = new Promise<never>((_, reject) => {
      if (signal.aborted) reject(signal.reason);
      signal.addEventListener("abort", () => reject(signal.reason), { once: true });
    });
    aborted.catch(() => {});
    handler = Promise.resolve().then(() => command.handler(context));
    const reply = await Promise.race([handler, aborted]);
    if (reply !== undefined && reply !== "") final = { blocks: toBlocks(reply), kind: "reply", jobId: job.id };
  } catch (error) {
    if (signal.aborted) {
      const reason = signal.reason as unknown;
      if (reason instanceof JobTimeoutError) {
        result = { outcome: "timed-out" };
        final = notice("fail", `job ${job.id} (${command.name}) timed out after ${formatDuration(timeoutMs)}`);
      } else {
        const by = reason instanceof JobCancelledError ? reason.by : "shutdown";
        result = { outcome: "cancelled" };
        detail = { cancelledBy: by };
        final = notice("warn", `job ${job.id} (${command.name}) was cancelled by ${by}`);
      }
    } else if (error instanceof UserError) {
      result = { outcome: error instanceof DeniedError ? "denied" : "failed" };
      if (error instanceof DeniedError) rule = error.rule;
      detail = { error: error.message };
      final = { blocks: [userErrorBlock(error)], kind: "reply", jobId: job.id };
    } else {
      const internal = describeInternalError(logger(), error, { jobId: job.id });
      result = { outcome: "failed", errorId: internal.errorId };
      detail = internal.detail;
      final = { blocks: [internal.chat], kind: "reply", jobId: job.id };
    }
  } finally {
    clearTimeout(timer);
    // A cancelled or timed-out handler gets a grace period to clean up (kill its process, release its lock),
    // so its outcome and history are final when the outcome is written.
    if (signal.aborted && handler) {
      let graceTimer: NodeJS.Timeout | undefined;
      await Promise.race([
        handler.catch(() => {}),
        new Promise((resolve) => {
          graceTimer = setTimeout(resolve, deps.cleanupGraceMs);
          graceTimer.unref?.();
        }),
      ]);
      clearTimeout(graceTimer);
    }
    await stream?.close();
  }
  await chain;
  const durationMs = Date.now() - started;
  const record = auditRecords.outcome(job, result.outcome, {
    durationMs,
    ...(result.errorId ? { errorId: result.errorId } : {}),
    ...(rule ? { rule } : {}),
    ...(detail ? { detail } : {}),
  });
  try {
    // Written before the final reply: whoever saw the answer can find the outcome in the audit log.
    await deps.auditLog.append([record]);
  } catch (error) {
    logger().error({ err: error, record }, "could not write the outcome to the audit log");
  }
  deps.events.emit("job.finished", {
    job: jobInfo(job),
    outcome: result.outcome,
    durationMs,
    ...(result.errorId ? { errorId: result.errorId } : {}),
  });
  if (final) await send(final);
  await chain;
  return result;
}
