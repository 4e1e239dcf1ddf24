/**
 * Environments: what a typed branch or environment name stands for, whether it exists, and which commit it is at.
 * @module
 */
import { existsSync, readdirSync, statSync } from "node:fs";
import { join, resolve } from "node:path";
import {
  baseEnvironment,
  DeniedError,
  puppetEnvironmentFor,
  refProblem,
  runProcess,
  UserError,
} from "@switchboard/core";
import type { PuppetConfig } from "./config.js";
import { ENVIRONMENT_PATTERN, printable } from "./names.js";

/**
 * The environment for a branch or environment name typed in chat (validated; throws a UserError otherwise).
 * With `environmentPath` configured, the environment must exist there.
 */
export function resolveEnvironment(config: PuppetConfig, typed: string): string {
  const problem = refProblem(typed);
  if (problem) throw new UserError(problem, "give a branch (gh13, feature/x) or a Puppet environment (production)");
  const env = puppetEnvironmentFor(typed, config.productionBranch);
  if (!ENVIRONMENT_PATTERN.test(env)) throw new UserError(`"${printable(typed)}" makes no Puppet environment name`);
  if (config.environmentPath) {
    const dir = join(resolve(config.environmentPath), env);
    if (!existsSync(dir) || !statSync(dir).isDirectory()) {
      const known = knownEnvironments(config.environmentPath);
      const what = env === typed ? `no environment ${env}` : `no environment ${env} (for branch ${typed})`;
      throw new UserError(
        `${what} in ${config.environmentPath}`,
        known.length
          ? `environments: ${known.join(", ")}; deploy the branch first (deploy puppet/${typed})`
          : "deploy the branch first",
      );
    }
  }
  return env;
}

/** The environments in an environments directory. */
export function knownEnvironments(environmentPath: string): string[] {
  try {
    return readdirSync(resolve(environmentPath), { withFileTypes: true })
      .filter((e) => e.isDirectory() && ENVIRONMENT_PATTERN.test(e.name))
      .map((e) => e.name)
      .sort();
  } catch {
    return [];
  }
}

/**
 * The commit an environment is at (`git rev-parse HEAD` in `<environmentPath>/<env>`), or undefined when there is
 * no environmentPath or it is not a git checkout.
 */
export async function environmentCommit(
  config: PuppetConfig,
  env: string,
  signal: AbortSignal,
): Promise<string | undefined> {
  if (!config.environmentPath) return undefined;
  const dir = join(resolve(config.environmentPath), env);
  // Only the environment's own checkout counts (not a repository it happens to sit in).
  if (!existsSync(join(dir, ".git"))) return undefined;
  const result = await runProcess({
    argv: ["git", "-C", dir, "rev-parse", "--verify", "HEAD^{commit}"],
    env: { ...baseEnvironment(), GIT_TERMINAL_PROMPT: "0" },
    timeoutMs: 20_000,
    signal,
  }).catch(() => undefined);
  const sha = result?.code === 0 ? result.stdout.trim() : "";
  return /^(?:[0-9a-f]{40}|[0-9a-f]{64})$/.test(sha) ? sha : undefined;
}

/**
 * Refuses an approved run that could pin only an environment's name: without a commit the bot can read (the ssh
 * runner without `environmentPath`, or an environment that is not a git checkout), approvers would approve a name
 * whose code can change before it runs. `pinning: name-only` accepts that, knowingly.
 */
export function refuseUnpinned(config: PuppetConfig, env: string, commit: string | undefined): void {
  if (commit || config.pinning === "name-only") return;
  if (config.approval === false || !config.approval.environments.includes(env)) return;
  throw new DeniedError(
    `refusing to ask for approval of ${env}: the bot cannot read which commit ${env} is at ` +
      `(${config.environmentPath ? `${join(resolve(config.environmentPath), env)} is not a git checkout` : "no environmentPath is configured"}), ` +
      "so an approval would pin only the name, and the code could change before it runs. Configure environmentPath " +
      "(the Puppet server's environments, git checkouts), or pinning: name-only to accept approvals of a name",
    `puppet pinning of ${env}`,
  );
}
