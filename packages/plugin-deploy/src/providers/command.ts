/**
 * The `command` provider: runs the configured executable with an argv array (no shell, ever). The deploy's values
 * reach it only as `DEPLOY_*` environment variables; its output streams into chat; its exit code decides.
 * @module
 */

import { baseEnvironment, describeExit, runProcess } from "@switchboard/core";
import type { CommandProviderConfig } from "../config.js";
import type { DeployRun, ProviderIO, ProviderOutcome } from "./provider.js";

/** The environment variables a deploy command gets, besides PATH, HOME, … and the configured `env`. */
export function deployVariables(run: DeployRun): Record<string, string> {
  return {
    DEPLOY_APP: run.app,
    DEPLOY_REF: run.ref,
    DEPLOY_SHA: run.sha,
    DEPLOY_ENV: run.env,
    DEPLOY_HOSTS: run.hosts.join(","),
    DEPLOY_ACTOR: run.actor,
    DEPLOY_APPROVERS: run.approvers.join(","),
    DEPLOY_JOB: run.job,
    DEPLOY_FORCE: run.force ? "1" : "0",
    DEPLOY_ROLLBACK: run.rollback ? "1" : "0",
  };
}

/** Runs a deploy with the command provider. */
export async function deployWithCommand(
  provider: CommandProviderConfig,
  run: DeployRun,
  io: ProviderIO,
): Promise<ProviderOutcome> {
  const result = await runProcess({
    argv: provider.command,
    ...(provider.cwd ? { cwd: provider.cwd } : {}),
    env: { ...baseEnvironment(), ...provider.env, ...deployVariables(run) },
    timeoutMs: provider.timeout,
    killGraceMs: provider.killGrace,
    signal: io.signal,
    onLine: (line) => io.progress(line),
  });
  const summary = describeExit(result);
  return { ok: result.code === 0 && !result.stopped, summary, ...(result.stopped ? { stopped: result.stopped } : {}) };
}
