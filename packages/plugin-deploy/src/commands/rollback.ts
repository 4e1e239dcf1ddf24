/**
 * `rollback <app> <env>`: deploys the commit of the newest successful deploy before the current one. The commit
 * comes from the history (it is not resolved again), and the CI gate is skipped: it shipped successfully before.
 * Room, permission, lock and approval gates apply as for a deploy.
 * @module
 */
import { defineCommand, formatDuration, out, UserError } from "@switchboard/core";
import { targetOf } from "../apps.js";
import { executeDeploy } from "../execute.js";
import { branchGate, roomGate } from "../gates.js";
import { History } from "../history.js";
import { lockGate } from "../locks.js";
import { isCommitId, short } from "../names.js";
import type { DeployState } from "../state.js";
import { appArg, requiredEnvArg } from "./args.js";

/** The rollback command. */
export function rollbackCommand(state: DeployState, timeoutMs: number) {
  const { config } = state;
  return defineCommand({
    name: "rollback",
    summary: "Deploy the last commit that succeeded before the current one",
    examples: ["rollback api production"],
    pattern: "{app} {env}",
    permission: "deploy:run",
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
      await lockGate(state, ctx.locks, app, env, ctx.actor.id);
      const found = await new History(ctx.store, config.historySize).rollbackTarget(app, env);
      if (!found)
        throw new UserError(
          `nothing to roll back to: ${app}/${env} has no earlier successful deploy of another commit`,
          `see "deploys ${app} in ${env}"`,
        );
      const { current, target } = found;
      branchGate(targetOf(config, app, env), target.ref);
      const ago = formatDuration(Date.now() - Date.parse(target.startedAt));
      await ctx.reply(
        out.status(
          "info",
          `rolling back ${app}/${env} from ${current.ref} (${short(current.sha)}, job ${current.job}) to ` +
            `${target.ref} (${short(target.sha)}, deployed by ${target.actorName} ${ago} ago); ` +
            "no CI gate: that commit shipped before",
        ),
      );
      return { sha: target.sha, ref: target.ref, hosts: target.hosts, rollbackOf: current.job };
    },
    handler: (ctx) => {
      const { args, checked } = ctx;
      const { sha } = checked;
      if (!isCommitId(sha)) throw new Error(`rollback handler without a resolved commit (${sha})`);
      return executeDeploy(
        state,
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
