/**
 * The signal puppet processes get. A noop stops at once when its job is cancelled; an apply or a rollout lets the
 * hosts in flight finish (killing puppet halfway through a catalog leaves a host half-changed) and starts nothing
 * new. A timeout or the bot shutting down stops the processes in every case.
 * @module
 */
import { JobCancelledError } from "@switchboard/core";

/** The processes' signal, and who cancelled the job (once someone has). */
export interface RunSignal {
  signal: AbortSignal;
  /** The name of whoever cancelled the job, when it was cancelled. */
  cancelledBy(): string | undefined;
  dispose(): void;
}

/** A signal that follows the job's, except that a cancel only stops the processes when `graceful` is false. */
export function runSignal(job: AbortSignal, { graceful }: { graceful: boolean }): RunSignal {
  const controller = new AbortController();
  let by: string | undefined;
  const onAbort = () => {
    const reason = job.reason as unknown;
    if (reason instanceof JobCancelledError) {
      by = reason.by;
      if (graceful) return;
    }
    controller.abort(reason);
  };
  if (job.aborted) onAbort();
  else job.addEventListener("abort", onAbort, { once: true });
  return {
    signal: controller.signal,
    cancelledBy: () => by,
    dispose: () => job.removeEventListener("abort", onAbort),
  };
}
