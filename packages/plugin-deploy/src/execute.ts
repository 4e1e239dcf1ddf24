/**
 * Runs a deploy that passed its gates: takes the environment's deploy lock (one deploy at a time), records it in
 * the history, runs the provider with the pinned commit, and records the outcome and releases the lock on every
 * outcome (success, failure, cancel, timeout).
 * @module
 */
import {
  type CommandContext,
  DeniedError,
  formatDuration,
  JobTimeoutError,
  out,
  type Reply,
  UserError,
} from "@switchboard/core";
import { longestDeploy, type Target } from "./apps.js";
import { type DeployOutcome, type DeployRecord, History } from "./history.js";
import { lockGate, runLockName, runningDenial } from "./locks.js";
import { short } from "./names.js";
import { deployWithCommand } from "./providers/command.js";
import { deployWithGitHub } from "./providers/github.js";
import type { DeployRun, ProviderOutcome } from "./providers/provider.js";
import type { DeployState } from "./state.js";

/** A deploy ready to run. */
export interface DeployPlan {
  target: Target;
  ref: string;
  sha: string;
  hosts: string[];
  force: boolean;
  /** For a rollback: the job whose deploy it replaces. */
  rollbackOf?: string;
  /** The task asked for with `deploy:<task>` (undefined for a plain deploy). */
  task?: string;
}

/** Runs the plan in a job; returns the final reply, or throws a UserError describing the failure. */
export async function executeDeploy(
  state: DeployState,
  plan: DeployPlan,
  ctx: CommandContext<unknown>,
): Promise<Reply> {
  const { appName, envName } = plan.target;
  const key = `${appName}/${envName}`;
  // Someone may have locked the environment, or started a deploy, while this one waited for approval.
  await lockGate(state, ctx.locks, appName, envName, ctx.actor.id);
  // Checked and claimed in one synchronous step, so two jobs of this process can never both pass.
  const busy = runningDenial(state, appName, envName);
  if (busy) throw busy;
  state.running.set(key, {
    job: ctx.job.id,
    actor: ctx.actor.name,
    ref: plan.ref,
    sha: plan.sha,
    startedAt: new Date(),
  });
  let outcome: DeployOutcome = "failed";
  let detail: string | undefined;
  let locked = false;
  const history = new History(ctx.store, state.config.historySize);
  try {
    // The job's own lock: another deploy of the environment (the same person's too) is refused while it runs.
    const lock = await ctx.locks.hold(
      runLockName(appName, envName),
      `${ctx.actor.name} deploys ${plan.ref} (${short(plan.sha)}), job ${ctx.job.id}`,
      longestDeploy(state.config) + 60_000,
    );
    if (!lock.acquired)
      throw new DeniedError(
        `${key} is being deployed: ${lock.holder.reason}; try again when it has finished`,
        `deploy in progress ${key}`,
      );
    locked = true;
    const record: DeployRecord = {
      job: ctx.job.id,
      app: appName,
      env: envName,
      ref: plan.ref,
      sha: plan.sha,
      hosts: plan.hosts,
      actor: ctx.actor.id,
      actorName: ctx.actor.name,
      approvers: ctx.approvers,
      force: plan.force,
      ...(plan.rollbackOf ? { rollbackOf: plan.rollbackOf } : {}),
      ...(plan.task ? { task: plan.task } : {}),
      provider: plan.target.provider.type,
      outcome: "running",
      startedAt: new Date().toISOString(),
    };
    await history.start(record);
    try {
      const what = `${plan.task ? `the ${plan.task} task of ` : ""}${appName}/${plan.ref} (${short(plan.sha)}) to ${envName}${plan.hosts.length ? `/${plan.hosts.join(",")}` : ""}`;
      ctx.progress(`${plan.rollbackOf ? "rolling back" : "deploying"} ${what} for ${ctx.actor.name}`);
      const result = await runProvider(state, plan, ctx);
      outcome = result.ok
        ? "succeeded"
        : result.stopped === "timeout"
          ? "timed-out"
          : result.stopped === "aborted" || ctx.signal.aborted
            ? abortOutcome(ctx.signal)
            : "failed";
      detail = result.summary;
      const took = formatDuration(Date.now() - Date.parse(record.startedAt));
      if (outcome === "succeeded") return out.status("ok", `deployed ${what} in ${took} (job ${ctx.job.id})`);
      if (outcome === "timed-out")
        throw new UserError(`deploy of ${what} timed out after ${took} and was stopped (${result.summary})`);
      throw new UserError(`deploy of ${what} failed: ${result.summary} (see the output above)`);
    } catch (error) {
      if (ctx.signal.aborted && outcome !== "timed-out") outcome = abortOutcome(ctx.signal);
      detail ??= error instanceof Error ? error.message : String(error);
      throw error;
    } finally {
      await history.finish(record, outcome, detail);
    }
  } finally {
    state.running.delete(key);
    if (locked) await ctx.locks.release(runLockName(appName, envName));
  }
}

function abortOutcome(signal: AbortSignal): DeployOutcome {
  return signal.reason instanceof JobTimeoutError ? "timed-out" : "cancelled";
}

/**
 * Records the GitHub deployment a job created: first in the audit log, with the job (the record the HTTP endpoint
 * trusts), then in the store index `deploy/github-deployments`, keyed `<owner/name lower-cased>#<id>`, where the
 * endpoint's GitHub webhook looks a deployment up to find the job (and so the room that asked). The deployment's
 * payload also carries the job id, for scripts on GitHub's side; nothing in the bot trusts it.
 */
async function recordDeployment(
  state: DeployState,
  ctx: CommandContext<unknown>,
  repository: string,
  id: number,
): Promise<void> {
  await state.audit({ event: "plugin", jobId: ctx.job.id, detail: { githubDeployment: { id, repository } } });
  await ctx.store.set("github-deployments", deploymentKey(repository, id), { job: ctx.job.id, at: Date.now() });
}

/** The index key of a GitHub deployment: `<owner/name lower-cased>#<id>`. */
export function deploymentKey(repository: string, id: number): string {
  return `${repository.toLowerCase()}#${id}`;
}

function runProvider(state: DeployState, plan: DeployPlan, ctx: CommandContext<unknown>): Promise<ProviderOutcome> {
  const run: DeployRun = {
    app: plan.target.appName,
    env: plan.target.envName,
    ref: plan.ref,
    sha: plan.sha,
    hosts: plan.hosts,
    actor: ctx.actor.id,
    approvers: ctx.approvers,
    job: ctx.job.id,
    force: plan.force,
    rollback: plan.rollbackOf !== undefined,
    ...(plan.task ? { task: plan.task } : {}),
  };
  const io = {
    signal: ctx.signal,
    progress: (line: string) => ctx.progress(line),
    recordDeployment: (repository: string, id: number) => recordDeployment(state, ctx, repository, id),
  };
  const provider = plan.target.provider;
  if (provider.type === "command") return deployWithCommand(provider, run, io);
  return deployWithGitHub(state.github!, plan.target.app.repository!, provider, run, io);
}
