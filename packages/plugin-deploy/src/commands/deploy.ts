/**
 * `deploy[!] <app>[/<ref>] [to <env>[/<hosts>]]`: hubot-deploy's grammar. `deploy!` (or `--force`) forces past a
 * CI gate that is not green and needs `deploy:force`. `deploy:<task> …` (hubot-deploy's task form, `deploy:migrate
 * web to production`) runs one of the app's configured `tasks` instead of a plain deploy.
 * @module
 */
import { arg, defineCommand, type PluginHandle, UserError } from "@switchboard/core";
import { appOf, defaultEnvironment, targetOf } from "../apps.js";
import { resolveCommit } from "../commit.js";
import { allTasks, type DeployConfig } from "../config.js";
import { executeDeploy } from "../execute.js";
import { branchGate, ciGate, roomGate } from "../gates.js";
import { lockGate } from "../locks.js";
import { isCommitId, splitHosts } from "../names.js";
import { PERMISSIONS } from "../permissions.js";
import type { DeployState } from "../state.js";
import { appArg, envArg, hostsArg, refArg, taskArg } from "./args.js";

/** How long resolving the commit and reading CI may take before a deploy is refused. */
const CHECK_TIMEOUT_MS = 2 * 60_000;

/** The deploy command. */
export function deployCommand(config: DeployConfig, plugin: PluginHandle<DeployState>, timeoutMs: number) {
  return defineCommand({
    name: "deploy",
    aliases: ["deploy!", ...allTasks(config).map((task) => `deploy:${task}`)],
    summary: "Deploy an app's branch to an environment (deploy! forces past CI that is not green)",
    examples: ["deploy puppet/gh13 to puppetmaster", "deploy api", "deploy! api/hotfix to production/fe1,fe2"],
    pattern: "{app}[/{ref}] [to {env}[/{hosts}]]",
    permission: PERMISSIONS.run,
    sideEffect: true,
    timeoutMs,
    args: {
      app: appArg(config),
      ref: refArg,
      env: envArg,
      hosts: hostsArg,
      force: arg.flag({ description: "deploy even when CI is not green (the same as deploy!); needs deploy:force" }),
      task: taskArg,
    },
    prepare: ({ args, invokedAs, message }) => {
      const app = args.app.toLowerCase();
      const env = (args.env ?? defaultEnvironment(appOf(config, app))).toLowerCase();
      const target = targetOf(config, app, env);
      const hosts = splitHosts(args.hosts);
      const allowed = target.env.hosts;
      const stray = allowed.length ? hosts.filter((h) => !allowed.includes(h)) : [];
      if (stray.length)
        throw new UserError(`${app}/${env} has no host ${stray.join(", ")}; its hosts: ${allowed.join(", ")}`);
      roomGate(target, message);
      branchGate(target, args.ref ?? target.app.defaultRef);
      const typed = invokedAs.startsWith("deploy:") ? invokedAs.slice("deploy:".length) : undefined;
      const task = (args.task ?? typed)?.toLowerCase();
      if (task !== undefined && task !== "deploy" && !target.app.tasks.includes(task))
        throw new UserError(
          `${app} has no task ${task}`,
          target.app.tasks.length
            ? `its tasks: ${target.app.tasks.join(", ")}`
            : `${app} allows no tasks besides deploy`,
        );
      const prepared = {
        ...args,
        app,
        env,
        ref: args.ref ?? target.app.defaultRef,
        force: args.force || invokedAs === "deploy!",
        ...(task !== undefined && task !== "deploy" ? { task } : {}),
      };
      return prepared;
    },
    requirements: (args) => {
      const target = targetOf(config, args.app, args.env!);
      return [
        ...(args.force ? [{ reason: "force", permission: PERMISSIONS.force }] : []),
        ...(target.approval ? [{ reason: `environment ${target.envName}`, approval: target.approval }] : []),
      ];
    },
    check: async (ctx) => {
      const { args } = ctx;
      const target = targetOf(config, args.app, args.env!);
      await lockGate(plugin.state, ctx.locks, target.appName, target.envName, ctx.actor.id);
      // The job is not listed (so not cancellable) until its checks pass: bound their I/O.
      const signal = AbortSignal.any([ctx.signal, AbortSignal.timeout(CHECK_TIMEOUT_MS)]);
      const sha = await resolveCommit(plugin.state, target.app, args.ref!, signal, {
        branchOnly: target.env.branches !== undefined,
      });
      const ci = await ciGate(plugin.state, target, args.ref!, sha, { force: args.force }, { ...ctx, signal });
      return { sha, ci };
    },
    handler: (ctx) => {
      const { args, checked } = ctx;
      const { sha } = checked;
      if (!isCommitId(sha)) throw new Error(`deploy handler without a resolved commit (${sha})`);
      return executeDeploy(
        plugin.state,
        {
          target: targetOf(config, args.app, args.env!),
          ref: args.ref!,
          sha,
          hosts: splitHosts(args.hosts),
          force: args.force,
          ...(args.task ? { task: args.task } : {}),
        },
        ctx,
      );
    },
  });
}
