/**
 * The `command` provider: runs the configured executable with an argv array (no shell, ever). The deploy's values
 * reach it only as `DEPLOY_*` environment variables; its output streams into chat; its exit code decides.
 * @module
 */

import { baseEnvironment, describeExit, puppetEnvironmentFor, runProcess } from "@switchboard/core";
import type { CommandProviderConfig } from "../config.js";
import type { DeployRun, ProviderIO, ProviderOutcome } from "./provider.js";

/** Characters an identity keeps in `DEPLOY_ACTOR` and `DEPLOY_APPROVERS`; every other byte is percent-encoded. */
const SAFE_IDENTITY = /^[A-Za-z0-9._@:+-]$/;

/**
 * An actor or approver id as a script may use it without quoting: letters, digits and `. _ @ : + -` stay, every
 * other byte of its UTF-8 form becomes `%XX` (so `%` itself is `%25`, and the id can be decoded exactly). Principal
 * ids come from the configuration, but `<network>:<id>` identities come from the network, and IRC accounts or Matrix
 * user ids may hold `$`, backticks, `;`, quotes or spaces.
 */
export function safeIdentity(id: string): string {
  let safe = "";
  for (const char of id) {
    if (SAFE_IDENTITY.test(char)) safe += char;
    else for (const byte of Buffer.from(char, "utf8")) safe += `%${byte.toString(16).toUpperCase().padStart(2, "0")}`;
  }
  return safe;
}

/** The environment variables a deploy command gets, besides PATH, HOME, … and the configured `env`. */
export function deployVariables(run: DeployRun): Record<string, string> {
  return {
    DEPLOY_APP: run.app,
    DEPLOY_REF: run.ref,
    DEPLOY_SHA: run.sha,
    DEPLOY_ENV: run.env,
    DEPLOY_HOSTS: run.hosts.join(","),
    DEPLOY_ACTOR: safeIdentity(run.actor),
    DEPLOY_APPROVERS: run.approvers.map(safeIdentity).join(","),
    DEPLOY_JOB: run.job,
    DEPLOY_FORCE: run.force ? "1" : "0",
    DEPLOY_ROLLBACK: run.rollback ? "1" : "0",
    DEPLOY_TASK: run.task ?? "deploy",
  };
}

/**
 * `DEPLOY_PUPPET_ENVIRONMENT`: the Puppet environment the ref stands for, by core's one rule (the one the puppet
 * plugin uses to find it), with the provider's `PUPPET_PRODUCTION_BRANCH` (default `main`) as `production`. Scripts
 * that make Puppet environments (examples/deploy/puppet-environment.sh) use this name rather than derive their own.
 */
export function puppetVariables(provider: CommandProviderConfig, run: DeployRun): Record<string, string> {
  return { DEPLOY_PUPPET_ENVIRONMENT: puppetEnvironmentFor(run.ref, provider.env.PUPPET_PRODUCTION_BRANCH ?? "main") };
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
    env: { ...baseEnvironment(), ...provider.env, ...deployVariables(run), ...puppetVariables(provider, run) },
    timeoutMs: provider.timeout,
    killGraceMs: provider.killGrace,
    signal: io.signal,
    onLine: (line) => io.progress(line),
  });
  const summary = describeExit(result);
  return { ok: result.code === 0 && !result.stopped, summary, ...(result.stopped ? { stopped: result.stopped } : {}) };
}
