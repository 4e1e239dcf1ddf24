/**
 * What the commands of one plugin instance share: the configuration, the runner, the hosts busy with a run from
 * this process, and (after setup) a way to reach the asker privately.
 * @module
 */
import type { PluginAuditRecord, Reply } from "@switchboard/core";
import type { PuppetConfig } from "./config.js";
import { LocalRunner } from "./runners/local.js";
import type { PuppetRunner } from "./runners/runner.js";
import { SshRunner } from "./runners/ssh.js";

/** A host taken by a job of this process. */
export interface HostClaim {
  job: string;
  actor: string;
  what: string;
}

/** Shared by the commands of one plugin instance. */
export interface PuppetState {
  config: PuppetConfig;
  runner: PuppetRunner;
  /** host → the job running puppet there (taken synchronously, so two jobs never run one host at once). */
  busy: Map<string, HostClaim>;
  /** Sends a reply privately to a principal; resolves to the networks reached (set by the plugin's setup). */
  directMessage?: (principal: string, reply: Reply) => Promise<string[]>;
  /** Appends a record to the audit log (set by the plugin's setup). */
  audit?: (record: PluginAuditRecord) => Promise<void>;
}

/** The runner for a validated configuration. */
export function createRunner(config: PuppetConfig): PuppetRunner {
  if (config.runner.type === "local") return new LocalRunner(config.runner, config.environmentPath!);
  return new SshRunner(config.runner);
}

/** The shared state for a validated configuration. */
export function createState(config: PuppetConfig): PuppetState {
  return { config, runner: createRunner(config), busy: new Map() };
}
