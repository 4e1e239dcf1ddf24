/**
 * Runs one job: context, timeout, cancellation, progress, the final reply and the outcome in the audit log.
 * @module
 */
import type { AuditLog, AuditOutcome, AuditRecord } from "./audit.js";
import type { CommandContext, JobControl, JobLocks } from "./command.js";
import { formatDuration } from "./duration.js";
import { DeniedError, JobCancelledError, JobTimeoutError, newCorrelationId, UserError } from "./errors.js";
import type { Actor } from "./identity.js";
import type { Job } from "./jobs.js";
import type { Logger } from "./logger.js";
import { type OutgoingMessage, out, type StatusLevel, toBlocks } from "./output.js";
import { ProgressStream } from "./progress.js";
import type { Store } from "./store.js";

/** What the runner needs from the bot. */
export interface JobRunnerDeps {
  auditLog: AuditLog;
  store: Store;
  logger: Logger;
  defaultTimeoutMs: number;
  progressIntervalMs: number;
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
    list: () => store.listLocks(),
  };
}

/** Reports an internal error: detail to the log, only the correlation id to chat. */
export function describeInternalError(logger: Logger, error: unknown, bindings: Record<string, unknown>) {
  const errorId = newCorrelationId();
  logger.error({ err: error, errorId, ...bindings }, "internal error");
  const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  return {
    errorId,
    chat: out.status("fail", `internal error (reference ${errorId}); the details are in the bot's log`),
    detail: { error: message },
  };
}

/** Runs a job whose "started" entry is already in the audit log; resolves after its outcome is written. */
export async function runJob(job: Job, deps: JobRunnerDeps, approvers: string[]): Promise<JobResult> {
  const { command } = job;
  let jobLogger: Logger | undefined;
  const logger = () => (jobLogger ??= deps.logger.child({ jobId: job.id, command: command.name }));
  const started = Date.now();
  const signal = job.controller.signal;
  const timeoutMs = command.timeoutMs ?? deps.defaultTimeoutMs;
  const timer = setTimeout(() => job.controller.abort(new JobTimeoutError(timeoutMs)), timeoutMs);
  timer.unref?.();

  let chain = Promise.resolve();
  const send = (message: OutgoingMessage): Promise<void> => {
    chain = chain
      .then(() => job.respond(message))
      .catch((error: unknown) => logger().warn({ err: error }, "could not deliver a reply"));
    return chain;
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
    const reply = await Promise.race([Promise.resolve().then(() => command.handler(context)), aborted]);
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
      final = {
        blocks: [out.status("fail", error.hint ? `${error.message}\n${error.hint}` : error.message)],
        kind: "reply",
        jobId: job.id,
      };
    } else {
      const internal = describeInternalError(logger(), error, { jobId: job.id });
      result = { outcome: "failed", errorId: internal.errorId };
      detail = internal.detail;
      final = { blocks: [internal.chat], kind: "reply", jobId: job.id };
    }
  } finally {
    clearTimeout(timer);
    await stream?.close();
  }
  await chain;
  const record: AuditRecord = {
    event: "outcome",
    jobId: job.id,
    actor: job.actor.id,
    command: command.name,
    outcome: result.outcome,
    durationMs: Date.now() - started,
    ...(result.errorId ? { errorId: result.errorId } : {}),
    ...(rule ? { rule } : {}),
    ...(detail ? { detail } : {}),
  };
  try {
    // Written before the final reply: whoever saw the answer can find the outcome in the audit log.
    await deps.auditLog.append([record]);
  } catch (error) {
    logger().error({ err: error, record }, "could not write the outcome to the audit log");
  }
  if (final) await send(final);
  await chain;
  return result;
}
