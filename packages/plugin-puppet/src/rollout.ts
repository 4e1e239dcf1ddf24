/**
 * A staged rollout: the canary alone, then batches of hosts (each batch `concurrency` at a time). It stops once
 * `maxFailures` hosts have failed and says where it stopped and what is left; a cancel lets the running batch
 * finish and starts nothing new. Progress is streamed per host and per batch.
 * @module
 */
import { type CommandContext, out, type Reply } from "@switchboard/core";
import { auditRuns, envLabel } from "./execute-runs.js";
import { changeCount, summarise } from "./fleet-summary.js";
import { formatHosts, hostCount } from "./host-list.js";
import type { HostInventory } from "./inventory.js";
import { shortVersion } from "./names.js";
import { hostLine, summaryReply, took } from "./reply.js";
import { rolloutLockName, rolloutRunning } from "./rollout-gate.js";
import { claimHosts, runHosts } from "./run-hosts.js";
import type { HostRun } from "./run-result.js";
import { runSignal } from "./run-signal.js";
import type { PuppetState } from "./state.js";

/** The canary alone first (when there is one), then the other hosts `size` at a time. */
export function planBatches(hosts: string[], canary: string | undefined, size: number): string[][] {
  const rest = hosts.filter((h) => h !== canary);
  const batches: string[][] = canary ? [[canary]] : [];
  for (let i = 0; i < rest.length; i += size) batches.push(rest.slice(i, i + size));
  return batches;
}

/** A rollout ready to run (from the checked facts). */
export interface RolloutPlan {
  env: string;
  target: string;
  hosts: string[];
  batches: string[][];
  maxFailures: number;
  inventory: HostInventory;
  commit: string | undefined;
  /** Without a commit: the configuration version the noops saw, which every host must report. */
  version: string | undefined;
}

/** Runs the rollout in a job; returns the final reply. */
export async function executeRollout(
  state: PuppetState,
  plan: RolloutPlan,
  ctx: CommandContext<unknown>,
): Promise<Reply> {
  const lockName = rolloutLockName(plan.env, plan.target);
  const what = `rollout of ${plan.env} to ${plan.target} by ${ctx.actor.name}`;
  const claim = { job: ctx.job.id, actor: ctx.actor.name, what };
  let releaseHosts: (() => void) | undefined;
  let locked = false;
  const signal = runSignal(ctx.signal, { graceful: true });
  try {
    // The lock is the job's own: any other rollout of the environment and target — the same person's too — is
    // refused by the store, atomically, across every process sharing it.
    const ttl = state.config.runTimeout + 5 * 60_000;
    const reason = what;
    const lock = await ctx.locks.hold(lockName, reason, ttl);
    if (!lock.acquired) throw rolloutRunning(plan.env, plan.target, lock.holder.owner, lock.holder.reason);
    locked = true;
    releaseHosts = claimHosts(state, plan.hosts, claim);
    return await runBatches(state, plan, ctx, signal, () => ctx.locks.hold(lockName, reason, ttl));
  } finally {
    signal.dispose();
    releaseHosts?.();
    if (locked) await ctx.locks.release(lockName);
  }
}

async function runBatches(
  state: PuppetState,
  plan: RolloutPlan,
  ctx: CommandContext<unknown>,
  signal: ReturnType<typeof runSignal>,
  renewLock: () => Promise<unknown>,
): Promise<Reply> {
  const started = Date.now();
  const done: HostRun[] = [];
  const total = plan.batches.length;
  let stoppedAfter: number | undefined;
  let why = "";
  ctx.progress(
    `rolling out ${envLabel(plan.env, plan.commit ?? plan.version)} to ${plan.target}: ` +
      `${hostCount(plan.hosts.length)} in ${total} ${total === 1 ? "batch" : "batches"}, stopping at ${plan.maxFailures} failed`,
  );
  for (const [index, batch] of plan.batches.entries()) {
    const canary = index === 0 && batch.length === 1 && plan.batches.length > 1 ? " (canary)" : "";
    ctx.progress(`batch ${index + 1}/${total}${canary}: ${formatHosts(batch)}`);
    const runs = await runHosts(state, {
      env: plan.env,
      mode: "apply",
      hosts: batch,
      inventory: plan.inventory,
      owner: { job: ctx.job.id, actor: ctx.actor.name, store: ctx.store },
      version: plan.commit,
      concurrency: state.config.concurrency,
      signal: signal.signal,
      onResult: (run) => ctx.progress(hostLine(checkVersion(run, plan))),
    });
    done.push(...runs.map((run) => checkVersion(run, plan)));
    const failed = done.filter((r) => !r.ok);
    const batchFailed = runs.filter((r) => !r.ok).length;
    ctx.progress(`batch ${index + 1}/${total} done: ${batch.length - batchFailed}/${batch.length} ok`);
    await renewLock();
    const last = index === total - 1;
    if (failed.length >= plan.maxFailures && !last) {
      stoppedAfter = index;
      why = `${hostCount(failed.length)} failed (${formatHosts(failed.map((r) => r.host))}; the limit is ${plan.maxFailures})`;
      break;
    }
    if (signal.signal.aborted) {
      stoppedAfter = index;
      why = "the job was stopped";
      break;
    }
    if (signal.cancelledBy() && !last) {
      stoppedAfter = index;
      why = `cancelled by ${signal.cancelledBy()}`;
      break;
    }
  }
  const summary = summarise(done);
  const left = stoppedAfter === undefined ? [] : plan.batches.slice(stoppedAfter + 1).flat();
  const label = envLabel(plan.env, plan.commit ?? plan.version, done);
  const failedHosts = summary.failedHosts;
  const text =
    stoppedAfter !== undefined
      ? `rollout of ${label} to ${plan.target} stopped after batch ${stoppedAfter + 1} of ${total}: ${why}. ` +
        `Done: ${formatHosts(done.map((r) => r.host))}. Not started: ${formatHosts(left)} (${took(started)})`
      : failedHosts.length
        ? `rolled out ${label} to ${plan.target} (${hostCount(done.length)}): ${changeCount(summary)}, ` +
          `${hostCount(failedHosts.length)} failed: ${formatHosts(failedHosts)} (${took(started)})`
        : `rolled out ${label} to ${plan.target}: ${hostCount(done.length)} in ${total} ${total === 1 ? "batch" : "batches"}, ${changeCount(summary)} (${took(started)})`;
  await auditRuns(state, ctx, { env: plan.env, commit: plan.commit }, done, {
    target: plan.target,
    notStarted: left,
    ...(stoppedAfter !== undefined ? { stoppedAfterBatch: stoppedAfter + 1, stoppedBecause: why } : {}),
  });
  const level = stoppedAfter !== undefined || failedHosts.length ? "fail" : "ok";
  const extra = left.length ? [out.facts([["not started", formatHosts(left, 100)]])] : [];
  const reply = await summaryReply(state, ctx, { level, text }, summary, "changed", extra);
  if (signal.cancelledBy()) await ctx.reply(reply);
  return reply;
}

/** Without a known commit, a host that ran another configuration version than the noop saw counts as failed. */
function checkVersion(run: HostRun, plan: RolloutPlan): HostRun {
  if (plan.commit || !plan.version || !run.ok || run.configurationVersion === plan.version) return run;
  const ran = run.configurationVersion ? shortVersion(run.configurationVersion) : "an unknown version";
  return {
    ...run,
    ok: false,
    failures: [{ message: `ran ${ran}, but the noop saw ${shortVersion(plan.version)}: the environment changed` }],
  };
}
