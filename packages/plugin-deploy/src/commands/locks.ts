/**
 * `deploy lock <app> <env> [for <duration>] [reason…]`, `deploy unlock <app> <env>`, `deploy locks`: holding an
 * environment so nobody else deploys to it, through the job's `ctx.locks` (leases in the store).
 * @module
 */
import { arg, type Block, defineCommand, formatDuration, out, UserError } from "@switchboard/core";
import { targetOf } from "../apps.js";
import { describeHold, holdLockName, isDeployLock } from "../locks.js";
import type { DeployState } from "../state.js";
import { appArg, requiredEnvArg } from "./args.js";

/** The lock commands. */
export function lockCommands(state: DeployState) {
  const { config } = state;
  const lock = defineCommand({
    name: "deploy lock",
    summary: "Hold an environment so nobody else deploys to it",
    examples: ["deploy lock api production for 2h db migration", "deploy lock puppet puppetmaster"],
    pattern: "{app} {env} [for {duration}] [{reason...}]",
    permission: "deploy:lock",
    args: {
      app: appArg(config),
      env: requiredEnvArg,
      duration: arg.duration({ description: `how long (default ${formatDuration(config.lockDuration)})` }),
      reason: arg.string({ rest: true, description: "why" }),
    },
    handler: async ({ args, locks, actor }): Promise<Block> => {
      const target = targetOf(config, args.app.toLowerCase(), args.env.toLowerCase());
      const name = holdLockName(target.appName, target.envName);
      const reason = args.reason ?? `locked by ${actor.name}`;
      const result = await locks.acquire(name, reason, args.duration ?? config.lockDuration);
      if (!result.acquired)
        throw new UserError(
          `${target.appName}/${target.envName} is already locked by ${describeHold(result.holder)}`,
          `only ${result.holder.owner} can unlock it before it expires`,
        );
      const until = formatDuration(result.lock.expiresAt.getTime() - Date.now());
      return out.status(
        "ok",
        `locked ${target.appName}/${target.envName} for ${until}: ${reason}. Only you can deploy there until ` +
          `"deploy unlock ${target.appName} ${target.envName}"`,
      );
    },
  });
  const unlock = defineCommand({
    name: "deploy unlock",
    summary: "Release your hold on an environment",
    examples: ["deploy unlock api production"],
    pattern: "{app} {env}",
    permission: "deploy:lock",
    args: { app: appArg(config), env: requiredEnvArg },
    handler: async ({ args, locks }): Promise<Block> => {
      const target = targetOf(config, args.app.toLowerCase(), args.env.toLowerCase());
      const name = holdLockName(target.appName, target.envName);
      if (await locks.release(name)) return out.status("ok", `unlocked ${target.appName}/${target.envName}`);
      const holder = (await locks.list()).find((l) => l.name === name);
      if (!holder) throw new UserError(`${target.appName}/${target.envName} is not locked`);
      throw new UserError(
        `${target.appName}/${target.envName} is locked by ${describeHold(holder)}; only ${holder.owner} can unlock it`,
      );
    },
  });
  const list = defineCommand({
    name: "deploy locks",
    summary: "Environments held with deploy lock, and deploys running",
    examples: ["deploy locks"],
    handler: async ({ locks }): Promise<Block[] | string> => {
      const now = Date.now();
      const rows = (await locks.list())
        .filter((l) => isDeployLock(l.name))
        .map((l) => {
          const [kind, where] = l.name.split(":") as [string, string];
          return [
            where,
            kind === "deploy" ? "locked" : "deploying",
            l.owner,
            l.reason,
            `in ${formatDuration(l.expiresAt.getTime() - now)}`,
          ];
        });
      if (rows.length === 0) return "no environment is locked and no deploy is running";
      return [out.table(["app/env", "state", "by", "reason", "expires"], rows)];
    },
  });
  return [lock, unlock, list];
}
