/**
 * What every command of one plugin instance shares: the configuration, the GitHub client and the deploys running
 * in this process.
 * @module
 */
import type { PluginAuditRecord } from "@switchboard/core";
import type { DeployConfig } from "./config.js";
import { createGitHub, type GitHub } from "./github.js";

/** A deploy running in this process. */
export interface RunningDeploy {
  job: string;
  actor: string;
  ref: string;
  sha: string;
  startedAt: Date;
}

/** Shared by the commands of one plugin instance. */
export interface DeployState {
  config: DeployConfig;
  /** Present when `github` is configured. */
  github: GitHub | undefined;
  /** app/env → the deploy running there (taken synchronously, so two jobs can never both start). */
  running: Map<string, RunningDeploy>;
  /** Appends a record to the bot's audit log (through the plugin's setup context). */
  audit(record: PluginAuditRecord): Promise<void>;
}

/** The shared state for a validated configuration. */
export function createState(config: DeployConfig, audit: DeployState["audit"]): DeployState {
  return {
    config,
    github: config.github ? createGitHub(config.github) : undefined,
    running: new Map(),
    audit,
  };
}
