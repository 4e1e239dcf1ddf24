/**
 * What a provider gets and returns.
 * @module
 */

/** One deploy, with everything already validated and the commit pinned. */
export interface DeployRun {
  app: string;
  env: string;
  ref: string;
  /** The full commit id resolved once at the gate; what ships. */
  sha: string;
  hosts: string[];
  /** Principal id of the requester. */
  actor: string;
  /** Principal ids of the approvers. */
  approvers: string[];
  job: string;
  force: boolean;
  rollback: boolean;
}

/** Where a provider reports to. */
export interface ProviderIO {
  /** Aborted on cancel or on the job's timeout. */
  signal: AbortSignal;
  /** A line of output for the room. */
  progress(line: string): void;
}

/** How a provider's deploy ended. */
export interface ProviderOutcome {
  ok: boolean;
  /** `exit code 0`, `deployment 42: success`. */
  summary: string;
  /** Set when the provider stopped it: its own timeout, or the job's signal. */
  stopped?: "timeout" | "aborted";
}
