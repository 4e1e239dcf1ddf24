/**
 * A noop or an apply on a set of hosts (all at once, `concurrency` at a time): claims the hosts, runs them with
 * per-host progress, and answers with one summary for the fleet.
 * @module
 */
import type { CommandContext, Reply } from "@switchboard/core";
import { changeCount, summarise } from "./fleet-summary.js";
import { formatHosts, hostCount } from "./host-list.js";
import type { HostInventory } from "./inventory.js";
import { shortVersion } from "./names.js";
import { hostLine, summaryReply, took } from "./reply.js";
import { claimHosts, runHosts } from "./run-hosts.js";
import type { HostRun } from "./run-result.js";
import { runSignal } from "./run-signal.js";
import type { PuppetState } from "./state.js";

/** What to run. */
export interface RunPlan {
  env: string;
  mode: "noop" | "apply";
  hosts: string[];
  inventory: HostInventory;
  /** The environment's commit, when known. */
  commit: string | undefined;
}

/** `gh13 (a1b2c3d)`: the environment with the commit (or the one configuration version the runs report). */
export function envLabel(env: string, commit: string | undefined, runs: HostRun[] = []): string {
  const versions = new Set(runs.map((r) => r.configurationVersion).filter(Boolean));
  const version = commit ?? (versions.size === 1 ? [...versions][0] : undefined);
  return version ? `${env} (${shortVersion(version)})` : env;
}

/** Runs the plan in a job and returns the reply. */
export async function executeRuns(state: PuppetState, plan: RunPlan, ctx: CommandContext<unknown>): Promise<Reply> {
  const verb = plan.mode === "noop" ? "noop" : "apply";
  const release = claimHosts(state, plan.hosts, {
    job: ctx.job.id,
    actor: ctx.actor.name,
    what: `${verb} ${plan.env} on ${formatHosts(plan.hosts)}`,
  });
  const signal = runSignal(ctx.signal, { graceful: plan.mode === "apply" });
  const started = Date.now();
  try {
    ctx.progress(
      `${verb} ${envLabel(plan.env, plan.commit)} on ${formatHosts(plan.hosts)} (${hostCount(plan.hosts.length)})`,
    );
    const runs = await runHosts(state, {
      env: plan.env,
      mode: plan.mode,
      hosts: plan.hosts,
      inventory: plan.inventory,
      owner: { job: ctx.job.id, actor: ctx.actor.name, store: ctx.store },
      version: plan.commit,
      concurrency: state.config.concurrency,
      signal: signal.signal,
      onResult: (run) => ctx.progress(hostLine(run)),
    });
    const summary = summarise(runs);
    const failed = summary.failedHosts;
    const label = envLabel(plan.env, plan.commit, runs);
    const where = formatHosts(plan.hosts);
    const failures = failed.length ? `${hostCount(failed.length)} failed: ${formatHosts(failed)}` : "no failures";
    const text =
      plan.mode === "noop"
        ? `noop ${label} on ${where}: ${changeCount(summary)} pending, ${failures} (${took(started)})`
        : failed.length
          ? `apply of ${label} on ${where}: ${changeCount(summary)} made, ${failures} (${took(started)})`
          : `applied ${label} on ${where}: ${changeCount(summary)} (${took(started)})`;
    if (plan.mode === "apply") await auditRuns(state, ctx, plan, runs);
    const reply = await summaryReply(
      state,
      ctx,
      { level: failed.length ? "fail" : "ok", text },
      summary,
      plan.mode === "noop" ? "pending" : "changed",
    );
    // A cancelled job's return value is not shown: say what happened to the hosts that finished.
    if (signal.cancelledBy()) await ctx.reply(reply);
    return reply;
  } finally {
    signal.dispose();
    release();
  }
}

/** What an apply changed, in the audit log (core records who asked, who approved and the outcome). */
export async function auditRuns(
  state: PuppetState,
  ctx: CommandContext<unknown>,
  plan: { env: string; commit: string | undefined },
  runs: HostRun[],
  extra: Record<string, unknown> = {},
): Promise<void> {
  const summary = summarise(runs);
  await state.audit({
    event: "plugin",
    network: ctx.message.network,
    room: ctx.message.room.id,
    outcome: summary.failedHosts.length ? "failed" : "succeeded",
    detail: {
      job: ctx.job.id,
      command: ctx.job.command,
      env: plan.env,
      ...(plan.commit ? { commit: plan.commit } : {}),
      hosts: runs.map((r) => r.host),
      changed: summary.changedHosts,
      failed: summary.failedHosts,
      changes: summary.changes.map((g) => ({
        resource: g.change.resource,
        property: g.change.property,
        ...(g.change.sensitive || g.change.property === "content" ? {} : { from: g.change.from, to: g.change.to }),
        hosts: g.hosts,
      })),
      ...extra,
    },
  });
}
