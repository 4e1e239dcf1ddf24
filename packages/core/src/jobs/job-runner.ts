/**
 * Runs one job: context, timeout, cancellation, progress, the final reply and the outcome in the audit log.
 * @module
 */
import type { AuditLog, AuditOutcome } from "../audit/audit.js";
import { auditRecords } from "../audit/audit-records.js";
import type { JobControl, JobLocks } from "../commands/command.js";
import { describeInternalError, userErrorBlock } from "../intake/user-errors.js";
import { type OutgoingMessage, out, type Reply, type StatusLevel, toBlocks } from "../output/output.js";
import type { Actor } from "../policy/identity.js";
import { DeniedError, JobCancelledError, JobTimeoutError, UserError } from "../runtime/errors.js";
import type { EventBus } from "../runtime/events.js";
import type { Logger } from "../runtime/logger.js";
import type { Store } from "../store/store.js";
import { formatDuration } from "../util/duration.js";
import type { Deadlines } from "./deadlines.js";
import { JobContext } from "./job-context.js";
import { LazyChildLogger } from "./job-logger.js";
import { abortRequested, type Job, type JobTable, jobInfo } from "./jobs.js";
import { ProgressStream } from "./progress.js";

/** What the runner needs from the bot. */
export interface JobRunnerDeps {
  auditLog: AuditLog;
  store: Store;
  logger: Logger;
  events: EventBus;
  defaultTimeoutMs: number;
  progressIntervalMs: number;
  /** Job timeouts, on one shared timer. */
  deadlines: Deadlines;
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
export function locksFor(store: Store, person: string, jobId: string): JobLocks & { releaseHeld(): Promise<void> } {
  const owner = jobLockOwner(person, jobId);
  const held = new Set<string>();
  return {
    acquire: (name, reason, ttlMs) => store.acquireLock({ name, owner: person, reason, ttlMs }),
    hold: async (name, reason, ttlMs) => {
      const result = await store.acquireLock({ name, owner, reason, ttlMs });
      if (result.acquired) held.add(name);
      return result;
    },
    release: async (name) => {
      if (held.delete(name) && (await store.releaseLock(name, owner))) return true;
      return store.releaseLock(name, person);
    },
    breakLock: async (name) => {
      const lock = (await store.listLocks()).find((l) => l.name === name);
      if (!lock) return undefined;
      return (await store.releaseLock(name, lock.owner)) ? lock : undefined;
    },
    list: () => store.listLocks(),
    releaseHeld: async () => {
      for (const name of [...held]) {
        held.delete(name);
        await store.releaseLock(name, owner);
      }
    },
  };
}

/** The owner of a lock a job holds: its person and the job (`bob (job k3x9a)`), as lock lists show it. */
export function jobLockOwner(person: string, jobId: string): string {
  return `${person} (job ${jobId})`;
}

/** Shared options object: one less allocation per job. */
const ONCE = { once: true } as const;

/** Settles like `work`, or rejects with the signal's reason as soon as it is aborted (whichever comes first). */
function unlessAborted<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    if (signal.aborted) {
      reject(signal.reason);
      return;
    }
    signal.addEventListener("abort", () => reject(signal.reason), ONCE);
    work.then(resolve, reject);
  });
}

/** Starts writing a read-only job's `admitted` record (once), for a message that must wait for it. */
function writeAdmitted(job: Job, auditLog: AuditLog): Promise<unknown> | undefined {
  const record = job.pendingAdmitted;
  if (record) {
    job.pendingAdmitted = undefined;
    job.admitted = auditLog.append([record]);
    job.admitted.catch(() => {});
  }
  return job.admitted;
}

const isThenable = (value: unknown): value is PromiseLike<unknown> =>
  value !== null &&
  (typeof value === "object" || typeof value === "function") &&
  typeof (value as { then?: unknown }).then === "function";

const notice = (job: Job, level: StatusLevel, text: string): OutgoingMessage => ({
  blocks: [out.status(level, text)],
  kind: "notice",
  jobId: job.id,
});

/**
 * Runs an admitted job and resolves after its outcome is written and its last message sent. Its `admitted` entry
 * is already durable (write-ahead for side effects, or the final `approval`), or, for a read-only command, still in
 * `job.pendingAdmitted`: then it is written with the outcome in one append, or first thing when the job sends a
 * message before it ends. Every message goes out after `admitted` is durable and in the order it was made.
 *
 * The common case (a handler that answers without sending anything else first) allocates no reply chain, no abort
 * race, no AbortSignal and no child logger.
 */
/** Runs a job whose admission (or final approval) is recorded, and takes it off the job table when it ends. */
export async function executeJob(
  job: Job,
  deps: JobRunnerDeps,
  jobs: JobTable,
  approvers: string[],
): Promise<JobResult> {
  try {
    return await runJob(job, deps, approvers);
  } finally {
    jobs.remove(job.id);
  }
}

export async function runJob(job: Job, deps: JobRunnerDeps, approvers: string[]): Promise<JobResult> {
  const { command } = job;
  const logger = new LazyChildLogger(deps.logger, { jobId: job.id, command: command.name });
  const started = Date.now();
  const timeoutMs = command.timeoutMs ?? deps.defaultTimeoutMs;
  const deadline = deps.deadlines.add(timeoutMs, () => job.controller.abort(new JobTimeoutError(timeoutMs)));

  if (deps.events.has("job.started"))
    deps.events.emit("job.started", { job: jobInfo(job), network: job.message.network, room: job.message.room.id });
  /** The messages sent so far, in order, after `job.admitted`; undefined until the first one. */
  let chain: Promise<unknown> | undefined;
  /** Tells listeners (the web view's transcript) what the job says, in the order it says it. */
  const said = (message: OutgoingMessage) => {
    if (deps.events.has("job.output")) deps.events.emit("job.output", { jobId: job.id, message });
  };
  const send = (message: OutgoingMessage, told = false): Promise<void> => {
    if (!told) said(message);
    chain = (chain ?? writeAdmitted(job, deps.auditLog) ?? Promise.resolve())
      .then(() => job.respond(message))
      .catch((error: unknown) => logger.warn({ err: error }, "could not deliver a reply"));
    return chain as Promise<void>;
  };
  let stream: ProgressStream | undefined;
  /** The job's lock helpers, made when the handler first asks for them. */
  let locks: ReturnType<typeof locksFor> | undefined;
  // No getters in an object literal here: such a literal gets a hidden class of its own per job, which keeps the job
  // reachable from old space and turns every job into garbage for the major collector.
  const context = new JobContext({
    args: job.args,
    actor: job.actor,
    approvers,
    message: job.message,
    job: { id: job.id, command: command.name },
    controller: job.controller,
    reply: (reply) => send({ blocks: toBlocks(reply), kind: "reply", jobId: job.id }),
    progress: (line) => {
      stream ??= new ProgressStream(
        (lines) => send({ blocks: [out.code(lines.join("\n"))], kind: "progress", jobId: job.id }),
        deps.progressIntervalMs,
      );
      stream.push(line);
    },
    store: deps.storeFor(command.plugin),
    locks: () => {
      locks ??= locksFor(deps.store, job.actor.id, job.id);
      return locks;
    },
    logger,
    checked: job.checked ?? {},
    jobs: deps.jobsFor(job.actor),
  });

  let outcome: AuditOutcome = "succeeded";
  let errorId: string | undefined;
  /** The handler's promise, when it returned one (the grace period waits for it). */
  let handler: Promise<Reply | undefined> | undefined;
  let detail: Record<string, unknown> | undefined;
  let rule: string | undefined;
  /** The last message of the job: sent only once the outcome is in the audit log. */
  let final: OutgoingMessage | undefined;
  try {
    const returned = command.handler(context);
    let reply: Reply | undefined;
    // A handler that answered synchronously needs no race with the signal unless the job was already aborted.
    if (isThenable(returned) || abortRequested(job.controller)) {
      handler = Promise.resolve(returned);
      reply = await unlessAborted(handler, job.controller.signal);
    } else reply = returned;
    if (reply !== undefined && reply !== "") final = { blocks: toBlocks(reply), kind: "reply", jobId: job.id };
  } catch (error) {
    if (abortRequested(job.controller)) {
      const reason = job.controller.signal.reason as unknown;
      if (reason instanceof JobTimeoutError) {
        outcome = "timed-out";
        final = notice(job, "fail", `job ${job.id} (${command.name}) timed out after ${formatDuration(timeoutMs)}`);
      } else {
        const by = reason instanceof JobCancelledError ? reason.by : "shutdown";
        outcome = "cancelled";
        detail = { cancelledBy: by };
        final = notice(job, "warn", `job ${job.id} (${command.name}) was cancelled by ${by}`);
      }
    } else if (error instanceof UserError) {
      outcome = error instanceof DeniedError ? "denied" : "failed";
      if (error instanceof DeniedError) rule = error.rule;
      detail = { error: error.message };
      final = { blocks: [userErrorBlock(error)], kind: "reply", jobId: job.id };
    } else {
      const internal = describeInternalError(logger, error, { jobId: job.id });
      outcome = "failed";
      errorId = internal.errorId;
      detail = internal.detail;
      final = { blocks: [internal.chat], kind: "reply", jobId: job.id };
    }
  } finally {
    deps.deadlines.remove(deadline);
    // A cancelled or timed-out handler gets a grace period to clean up (kill its process, release its lock),
    // so its outcome and history are final when the outcome is written.
    if (handler && abortRequested(job.controller)) {
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
    if (stream) await stream.close();
    // Whatever the job held is free once it has ended (after the grace period, so a cancelled job cleans up first).
    if (locks)
      await locks
        .releaseHeld()
        .catch((error: unknown) => logger.warn({ err: error }, "could not release a job's locks"));
  }
  // Everything sent so far is delivered (and `admitted` is durable) before the outcome is written.
  const pending = chain ?? job.admitted;
  if (pending) await pending;
  const durationMs = Date.now() - started;
  const extra: Parameters<typeof auditRecords.outcome>[2] = { durationMs };
  if (errorId) extra.errorId = errorId;
  if (rule) extra.rule = rule;
  if (detail) extra.detail = detail;
  const record = auditRecords.outcome(job, outcome, extra);
  const admitted = job.pendingAdmitted;
  if (admitted) {
    // A read-only job that sent nothing yet: both entries in one append. Failing it fails like a failed `admitted`
    // (the job ends in an internal error, and its answer is not sent).
    job.pendingAdmitted = undefined;
    await deps.auditLog.append([admitted, record]);
  } else {
    try {
      // Written before the final reply: whoever saw the answer can find the outcome in the audit log.
      await deps.auditLog.append([record]);
    } catch (error) {
      logger.error({ err: error, record }, "could not write the outcome to the audit log");
    }
  }
  if (final) said(final);
  if (deps.events.has("job.finished"))
    deps.events.emit("job.finished", {
      job: jobInfo(job),
      outcome,
      durationMs,
      ...(errorId ? { errorId } : {}),
    });
  if (final) {
    if (chain) await send(final, true);
    else {
      // Nothing is queued and `admitted` is settled: send directly, with what `send` would do on a failure.
      try {
        await job.respond(final);
      } catch (error) {
        logger.warn({ err: error }, "could not deliver a reply");
      }
    }
  }
  if (chain) await chain;
  return errorId ? { outcome, errorId } : { outcome };
}
