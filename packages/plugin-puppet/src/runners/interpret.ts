/**
 * Turns a finished puppet process and what it wrote (its report, or else its error logs) into a HostRun.
 * @module
 */
import { describeExit, formatDuration, type ProcessResult } from "@switchboard/core";
import type { ParsedReport } from "../parse-report.js";
import type { Failure, HostRun } from "../run-result.js";
import { failedRun, type RunRequest } from "./runner.js";

/** What a run left behind besides its exit status. */
export interface RunEvidence {
  /** The report of this run, when it wrote one (never an older run's). */
  report: ParsedReport | undefined;
  /** Errors from its log or output when there is no report (a catalog that did not compile). */
  errors: Failure[];
}

/**
 * The outcome of one run. With `--detailed-exitcodes` (and `--test`) 0 and 2 mean the run completed, 4 and 6 that
 * resources failed, 1 that it could not run; but the changes and failures always come from the report.
 */
export function interpretRun(
  request: RunRequest,
  started: number,
  result: ProcessResult,
  evidence: RunEvidence,
): HostRun {
  if (result.stopped === "timeout")
    return failedRun(request, started, `stopped after ${formatDuration(request.timeoutMs)} (run timeout)`);
  if (result.stopped === "aborted") return failedRun(request, started, "stopped (the job was stopped)");
  const { report } = evidence;
  if (!report) {
    const errors = evidence.errors.length
      ? evidence.errors
      : [{ message: `puppet ended with ${describeExit(result)} and wrote no report` }];
    return { ...failedRun(request, started, ""), failures: errors.slice(0, 5) };
  }
  const failures = [...report.failures];
  const exitFailed = result.code !== 0 && result.code !== 2;
  if (failures.length === 0 && (exitFailed || !report.transactionCompleted)) {
    failures.push(
      ...(evidence.errors.length
        ? evidence.errors.slice(0, 5)
        : [{ message: `puppet ended with ${describeExit(result)}; the run did not complete` }]),
    );
  }
  return {
    host: request.host.name,
    env: request.env,
    mode: request.mode,
    ok: failures.length === 0,
    changes: report.changes,
    failures,
    skipped: report.skipped,
    ...(report.configurationVersion ? { configurationVersion: report.configurationVersion } : {}),
    ...(report.time !== undefined ? { reportTime: report.time } : {}),
    ...(report.totalSeconds !== undefined ? { puppetSeconds: report.totalSeconds } : {}),
    durationMs: Date.now() - started,
  };
}
