/**
 * `puppet noop <env|branch> <target>`: what puppet would change, per host, in one summary for the fleet.
 * @module
 */
import { defineCommand, type PluginHandle } from "@switchboard/core";
import type { PuppetConfig } from "../config.js";
import { environmentCommit } from "../environments.js";
import { executeRuns } from "../execute-runs.js";
import { PERMISSIONS } from "../permissions.js";
import type { PuppetState } from "../state.js";
import { checkedHosts, envArg, prepareTarget, refuseBusy, resolveTarget, targetArg } from "./args.js";

/** The noop command. */
export function noopCommand(config: PuppetConfig, plugin: PluginHandle<PuppetState>) {
  return defineCommand({
    name: "puppet noop",
    summary: "What puppet would change (a dry run) on a host, a group, a glob or all, summarised for the fleet",
    examples: ["puppet noop gh13 fs1", "puppet noop production fileservers", "puppet noop main fs*"],
    permission: PERMISSIONS.noop,
    sideEffect: true,
    timeoutMs: config.runTimeout + 60_000,
    args: { env: envArg, target: targetArg },
    prepare: ({ args }) => prepareTarget(plugin.state, args),
    check: (ctx) => {
      const { target } = resolveTarget(plugin.state, ctx.args.target);
      refuseBusy(plugin.state, target.hosts, ctx.job.id);
      return { hosts: target.hosts.join(",") };
    },
    handler: async (ctx) => {
      const hosts = checkedHosts(ctx.checked);
      const { inventory } = resolveTarget(plugin.state, ctx.args.target);
      const commit = await environmentCommit(config, ctx.args.env, ctx.signal);
      return executeRuns(plugin.state, { env: ctx.args.env, mode: "noop", hosts, inventory, commit }, ctx);
    },
  });
}
