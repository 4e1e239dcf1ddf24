/**
 * What one puppet run on one host did, as the rest of the plugin sees it (whichever runner ran it).
 * @module
 */

/** One property change (applied, or pending under noop). */
export interface Change {
  /** `Package[git]`. */
  resource: string;
  /** `ensure`, `content`, `mode`. */
  property: string;
  from: string;
  to: string;
  /** Puppet redacted the values (a `Sensitive` value): neither values nor a diff are ever shown. */
  sensitive: boolean;
  /** For file content: the diff hunks puppet logged with `--show_diff` (headers removed, not capped). */
  diff?: string;
}

/** A resource that failed, or a run-level error (`resource` undefined). */
export interface Failure {
  resource?: string;
  message: string;
}

/** The outcome of one host's run. */
export interface HostRun {
  host: string;
  env: string;
  mode: "noop" | "apply";
  /** The run completed and no resource failed. */
  ok: boolean;
  /** Changes made (apply) or pending (noop). */
  changes: Change[];
  failures: Failure[];
  /** Resources skipped because a dependency failed. */
  skipped: string[];
  /** The report's configuration_version (the commit, when the environment's config_version prints it). */
  configurationVersion?: string;
  /** The report's run time (epoch seconds), to match it with `puppet status`. */
  reportTime?: number;
  /** Puppet's own total time in seconds, when the report has it. */
  puppetSeconds?: number;
  /** Wall-clock time of the whole run, including connecting and compiling. */
  durationMs: number;
}

/** A host's last run, from its last run summary (any run, from chat or not). */
export interface LastRun {
  host: string;
  /** Epoch seconds. */
  time?: number;
  environment?: string;
  configurationVersion?: string;
  changed: number;
  failed: number;
  /** Changes puppet would have made (events under noop). */
  noop: number;
  outOfSync: number;
  totalSeconds?: number;
}
