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
  /** The task asked for with `deploy:<task>` (undefined for a plain deploy). */
  task?: string;
}

/** Where a provider reports to. */
export interface ProviderIO {
  /** Aborted on cancel or on the job's timeout. */
  signal: AbortSignal;
  /** A line of output for the room. */
  progress(line: string): void;
  /**
   * Records, with the job, the GitHub deployment it created (an audit entry, and the index the HTTP endpoint's
   * GitHub webhook looks the deployment up in to find the asking room). Resolves once both are written.
   */
  recordDeployment(repository: string, id: number): Promise<void>;
}

/** How a provider's deploy ended. */
export interface ProviderOutcome {
  ok: boolean;
  /** `exit code 0`, `deployment 42: success`. */
  summary: string;
  /** Set when the provider stopped it: its own timeout, or the job's signal. */
  stopped?: "timeout" | "aborted";
}
