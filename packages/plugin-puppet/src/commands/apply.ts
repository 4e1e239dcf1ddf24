/**
 * `puppet apply <env|branch> <target>` (alias `puppet force`: run puppet now, as the talk's "force it all at
 * once"): applies on one host; on several hosts it is a staged rollout with the configured defaults, with the
 * same noop gate, lock and approval as `puppet rollout`.
 * @module
 */
import { defineCommand, type PluginHandle, UserError } from "@switchboard/core";
import type { PuppetConfig } from "../config.js";
import { environmentCommit, refuseUnpinned } from "../environments.js";
import { executeRuns } from "../execute-runs.js";
import { shortVersion } from "../names.js";
import { PERMISSIONS } from "../permissions.js";
import { rolloutCheck } from "../rollout-gate.js";
import type { PuppetState } from "../state.js";
import { checkedHosts, envArg, prepareTarget, refuseBusy, resolveTarget, targetArg } from "./args.js";
import { approvalRequirements, runCheckedRollout } from "./rollout.js";

/** The apply command. */
export function applyCommand(config: PuppetConfig, plugin: PluginHandle<PuppetState>) {
  return defineCommand({
    name: "puppet apply",
    aliases: ["puppet force"],
    summary: "Apply an environment on a host now; on a group, glob or all: a staged rollout (see puppet rollout)",
    examples: ["puppet apply gh13 fs1", "puppet apply production fileservers", "puppet force production fs1"],
    permission: PERMISSIONS.apply,
    sideEffect: true,
    timeoutMs: Math.max(config.rollout.timeout, config.runTimeout + 60_000),
    args: { env: envArg, target: targetArg },
    prepare: ({ args }) => prepareTarget(plugin.state, args),
    requirements: (args) => approvalRequirements(plugin.state, args.env),
    check: async (ctx) => {
      const { target } = resolveTarget(plugin.state, ctx.args.target);
      if (target.hosts.length > 1)
        return rolloutCheck(plugin.state, ctx, {
          env: ctx.args.env,
          target: target.name,
          canary: undefined,
          batch: config.rollout.batch,
          maxFailures: config.rollout.maxFailures,
          force: false,
        });
      refuseBusy(plugin.state, target.hosts, ctx.job.id);
      const commit = await environmentCommit(config, ctx.args.env, ctx.signal);
      refuseUnpinned(config, ctx.args.env, commit);
      return { hosts: target.hosts.join(","), ...(commit ? { commit } : {}) };
    },
    handler: async (ctx) => {
      const hosts = checkedHosts(ctx.checked);
      const { inventory } = resolveTarget(plugin.state, ctx.args.target);
      if (hosts.length > 1) return runCheckedRollout(plugin.state, ctx, config.rollout.maxFailures);
      const commit = await sameCommit(plugin.state, ctx.args.env, ctx.checked.commit, ctx.signal);
      return executeRuns(plugin.state, { env: ctx.args.env, mode: "apply", hosts, inventory, commit }, ctx);
    },
  });
}

/** The environment's commit now, refusing when it moved since the check (and so since any approval). */
export async function sameCommit(
  state: PuppetState,
  env: string,
  checked: unknown,
  signal: AbortSignal,
): Promise<string | undefined> {
  const commit = await environmentCommit(state.config, env, signal);
  if (typeof checked === "string" && commit !== checked)
    throw new UserError(
      `${env} moved from ${shortVersion(checked)} to ${commit ? shortVersion(commit) : "an unknown commit"} since it was checked; nothing was run`,
      "ask again, so that what runs is what was checked (and approved)",
    );
  return commit;
}
