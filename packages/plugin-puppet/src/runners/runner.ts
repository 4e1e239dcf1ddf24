/**
 * A runner runs puppet on a host and reads its results: `local` (puppet apply on this machine, one
 * confdir/vardir per host) or `ssh` (puppet agent on the host over OpenSSH).
 * @module
 */
import type { Host } from "../inventory.js";
import type { HostRun, LastRun } from "../run-result.js";

/** One run on one host. Every value in it was validated before it got here. */
export interface RunRequest {
  host: Host;
  /** A validated Puppet environment name. */
  env: string;
  mode: "noop" | "apply";
  /** The Switchboard job (passed to the agent as its job id, and used to recognise its report). */
  jobId: string;
  /** Stops the process (timeout, shutdown; a cancelled rollout lets running hosts finish instead). */
  signal: AbortSignal;
  timeoutMs: number;
}

/** Runs puppet on hosts. */
export interface PuppetRunner {
  readonly type: "local" | "ssh";
  /** Runs puppet; never rejects for a failed run (that is a HostRun with `ok: false`). */
  run(request: RunRequest): Promise<HostRun>;
  /** The host's last run summary (any run, from chat or not); undefined when it has none. */
  lastRun(host: Host, signal: AbortSignal): Promise<LastRun | undefined>;
  /** Where the host is reached, for `puppet hosts`. */
  describe(host: Host): string;
}

/** A run that failed before puppet said anything useful (could not connect, timed out, no report). */
export function failedRun(request: RunRequest, started: number, message: string): HostRun {
  return {
    host: request.host.name,
    env: request.env,
    mode: request.mode,
    ok: false,
    changes: [],
    failures: [{ message }],
    skipped: [],
    durationMs: Date.now() - started,
  };
}
