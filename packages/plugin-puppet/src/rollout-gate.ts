/**
 * What a rollout must pass before it is approved or started: a known target, no other rollout of the same
 * environment and group, free hosts, and a recent successful noop of the same environment and commit on every
 * host (unless forced with puppet:force). The facts it returns are shown in the approval request and bound to it.
 * @module
 */
import { type CheckContext, DeniedError, type JobLocks, UserError } from "@switchboard/core";
import { refuseBusy, resolveTarget } from "./commands/args.js";
import { environmentCommit, refuseUnpinned } from "./environments.js";
import { formatHosts } from "./host-list.js";
import { describeNoops, noopVerdict } from "./records.js";
import { planBatches } from "./rollout.js";
import type { PuppetState } from "./state.js";

/** A rollout's options after defaults. */
export interface RolloutOptions {
  env: string;
  target: string;
  canary: string | undefined;
  batch: number;
  maxFailures: number;
  force: boolean;
}

/** The lock a rollout of `env` to `target` holds. */
export const rolloutLockName = (env: string, target: string) => `puppet-rollout:${env}/${target}`;

/**
 * Refuses when a rollout of the same environment and target holds its lock — anyone's, the asker's own included:
 * the lock is the rollout job's ({@link JobLocks.hold}), so a second rollout of the same person is refused too.
 */
export async function refuseConcurrentRollout(locks: JobLocks, env: string, target: string): Promise<void> {
  const held = (await locks.list()).find((l) => l.name === rolloutLockName(env, target));
  if (held) throw rolloutRunning(env, target, held.owner, held.reason);
}

/** The refusal naming the rollout that holds the lock, and who started it. */
export function rolloutRunning(env: string, target: string, owner: string, reason: string): DeniedError {
  return new DeniedError(
    `a rollout of ${env} to ${target} is running: ${reason}; its lock is held by ${owner}; wait for it or cancel it`,
    `puppet rollout lock ${env}/${target}`,
  );
}

/** The rollout's checks; returns the facts the approval shows and the handler runs with. */
export async function rolloutCheck(
  state: PuppetState,
  ctx: CheckContext<unknown>,
  options: RolloutOptions,
): Promise<Record<string, string>> {
  const { config } = state;
  const { target } = resolveTarget(state, options.target);
  const hosts = target.hosts;
  if (options.canary !== undefined && !hosts.includes(options.canary))
    throw new UserError(`the canary ${options.canary} is not one of ${target.name} (${formatHosts(hosts)})`);
  await refuseConcurrentRollout(ctx.locks, options.env, target.name);
  refuseBusy(state, hosts, ctx.job.id);
  const commit = await environmentCommit(config, options.env, ctx.signal);
  refuseUnpinned(config, options.env, commit);
  const canary = options.canary ?? (config.rollout.canary && hosts.length > 1 ? hosts[0] : undefined);
  const batches = planBatches(hosts, canary, options.batch);
  const facts: Record<string, string> = {
    hosts: hosts.join(","),
    batches: batches.map((b) => b.join(",")).join(" | "),
    ...(commit ? { commit } : {}),
  };
  if (options.force) {
    facts.noop = `not required: forced by ${ctx.actor.name} (puppet:force)`;
    return facts;
  }
  const verdict = await noopVerdict(ctx.store, options.env, hosts, commit, config.noopMaxAge);
  if (!verdict.ok)
    throw new DeniedError(
      `refusing to roll out ${options.env} to ${target.name}: ${verdict.problems.join("; ")}. ` +
        `Run "puppet noop ${options.env} ${target.name}" first (or add --force, which needs puppet:force)`,
      "puppet rollout needs a recent noop",
    );
  facts.noop = describeNoops(verdict.records);
  if (!commit && verdict.version) facts.version = verdict.version;
  return facts;
}
