/**
 * `puppet noop <env|branch> <target>`: what puppet would change, per host, in one summary for the fleet.
 * @module
 */
import { defineCommand } from "@switchboard/core";
import { environmentCommit } from "../environments.js";
import { executeRuns } from "../execute-runs.js";
import type { PuppetState } from "../state.js";
import { checkedHosts, envArg, prepareTarget, refuseBusy, resolveTarget, targetArg } from "./args.js";

/** The noop command. */
export function noopCommand(state: PuppetState) {
  return defineCommand({
    name: "puppet noop",
    summary: "What puppet would change (a dry run) on a host, a group, a glob or all, summarised for the fleet",
    examples: ["puppet noop gh13 fs1", "puppet noop production fileservers", "puppet noop main fs*"],
    permission: "puppet:noop",
    sideEffect: true,
    timeoutMs: state.config.runTimeout + 60_000,
    args: { env: envArg, target: targetArg },
    prepare: ({ args }) => prepareTarget(state, args),
    check: (ctx) => {
      const { target } = resolveTarget(state, ctx.args.target);
      refuseBusy(state, target.hosts, ctx.job.id);
      return { hosts: target.hosts.join(",") };
    },
    handler: async (ctx) => {
      const hosts = checkedHosts(ctx.checked);
      const { inventory } = resolveTarget(state, ctx.args.target);
      const commit = await environmentCommit(state.config, ctx.args.env, ctx.signal);
      return executeRuns(state, { env: ctx.args.env, mode: "noop", hosts, inventory, commit }, ctx);
    },
  });
}
