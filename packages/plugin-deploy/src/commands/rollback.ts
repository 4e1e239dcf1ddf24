/**
 * `rollback <app> <env>`: deploys the commit of the newest successful deploy before the current one. The commit
 * comes from the history (it is not resolved again). The history lives in the store, which whoever can write the
 * database file can edit, and CI may have turned red for that commit since (a failed re-run, a revoked check): so
 * the CI gate runs again for it, exactly as for a deploy (no forcing). Room, branch, permission, lock and approval
 * gates apply as for a deploy.
 * @module
 */
import { DeniedError, defineCommand, formatDuration, out, type PluginHandle, UserError } from "@switchboard/core";
import { targetOf } from "../apps.js";
import type { DeployConfig } from "../config.js";
import { executeDeploy } from "../execute.js";
import { branchGate, ciGate, roomGate } from "../gates.js";
import { History } from "../history.js";
import { lockGate } from "../locks.js";
import { isCommitId, short } from "../names.js";
import { PERMISSIONS } from "../permissions.js";
import type { DeployState } from "../state.js";
import { appArg, requiredEnvArg } from "./args.js";

/** How long reading CI may take before a rollback is refused (as for deploy). */
const CHECK_TIMEOUT_MS = 2 * 60_000;

/** The rollback command. */
export function rollbackCommand(config: DeployConfig, plugin: PluginHandle<DeployState>, timeoutMs: number) {
  return defineCommand({
    name: "rollback",
    summary: "Deploy the last commit that succeeded before the current one",
    examples: ["rollback api production"],
    pattern: "{app} {env}",
    permission: PERMISSIONS.run,
    sideEffect: true,
    timeoutMs,
    args: { app: appArg(config), env: requiredEnvArg },
    prepare: ({ args, message }) => {
      const target = targetOf(config, args.app.toLowerCase(), args.env.toLowerCase());
      roomGate(target, message);
      return { app: target.appName, env: target.envName };
    },
    requirements: (args) => {
      const target = targetOf(config, args.app, args.env);
      return target.approval ? [{ reason: `environment ${target.envName}`, approval: target.approval }] : [];
    },
    check: async (ctx) => {
      const { app, env } = ctx.args;
      await lockGate(plugin.state, ctx.locks, app, env, ctx.actor.id);
      const found = await new History(ctx.store, config.historySize).rollbackTarget(app, env);
      if (!found)
        throw new UserError(
          `nothing to roll back to: ${app}/${env} has no earlier successful deploy of another commit`,
          `see "deploys ${app} in ${env}"`,
        );
      const { current, target } = found;
      const deployTarget = targetOf(config, app, env);
      branchGate(deployTarget, target.ref);
      if (!isCommitId(target.sha))
        throw new UserError(
          `the deploy history of ${app}/${env} names no valid commit (${target.sha}); not rolling back`,
        );
      const ago = formatDuration(Date.now() - Date.parse(target.startedAt));
      await ctx.reply(
        out.status(
          "info",
          `rolling back ${app}/${env} from ${current.ref} (${short(current.sha)}, job ${current.job}) to ` +
            `${target.ref} (${short(target.sha)}, deployed by ${target.actorName} ${ago} ago)`,
        ),
      );
      // The job is not listed (so not cancellable) until its checks pass: bound the CI lookup as deploy does.
      const signal = AbortSignal.any([ctx.signal, AbortSignal.timeout(CHECK_TIMEOUT_MS)]);
      const ci = await ciGate(
        plugin.state,
        deployTarget,
        target.ref,
        target.sha,
        { force: false },
        { ...ctx, signal },
      ).catch((error: unknown) => {
        if (!(error instanceof DeniedError)) throw error;
        // The deploy hint ("force with deploy!") would ship the ref's newest commit, not this one: leave it out.
        const reason = error.message.replace(/\. Wait for it, or force with .*$/s, "");
        throw new DeniedError(`not rolling back: ${reason}`, error.rule);
      });
      return { sha: target.sha, ref: target.ref, hosts: target.hosts, rollbackOf: current.job, ci };
    },
    handler: (ctx) => {
      const { args, checked } = ctx;
      const { sha } = checked;
      if (!isCommitId(sha)) throw new Error(`rollback handler without a resolved commit (${sha})`);
      return executeDeploy(
        plugin.state,
        {
          target: targetOf(config, args.app, args.env),
          ref: checked.ref,
          sha,
          hosts: checked.hosts ?? [],
          force: false,
          rollbackOf: checked.rollbackOf,
        },
        ctx,
      );
    },
  });
}
