/**
 * What the commands of one plugin instance share: the configuration, the runner, the hosts busy with a run from
 * this process, and the ways to reach the asker privately and to audit.
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
  /** Sends a reply privately to a principal; resolves to the networks reached. */
  directMessage: (principal: string, reply: Reply) => Promise<string[]>;
  /** Appends a record to the audit log. */
  audit: (record: PluginAuditRecord) => Promise<void>;
}

/** What the state uses of the bot: private messages and the audit log (from setup's context). */
export type PuppetDelivery = Pick<PuppetState, "directMessage" | "audit">;

/** The runner for a validated configuration. */
export function createRunner(config: PuppetConfig): PuppetRunner {
  if (config.runner.type === "local") return new LocalRunner(config.runner, config.environmentPath!);
  return new SshRunner(config.runner);
}

/** The shared state for a validated configuration, created by setup. */
export function createState(config: PuppetConfig, delivery: PuppetDelivery): PuppetState {
  return { config, runner: createRunner(config), busy: new Map(), ...delivery };
}
