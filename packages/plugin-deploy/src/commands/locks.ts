/**
 * `deploy lock <app> <env> [for <duration>] [reason…]`, `deploy unlock <app> <env> [--force]`, `deploy locks`:
 * holding an environment so nobody else deploys to it, through the job's `ctx.locks` (leases in the store).
 * @module
 */
import { arg, type Block, DeniedError, defineCommand, formatDuration, out, UserError } from "@switchboard/core";
import { targetOf } from "../apps.js";
import type { DeployConfig } from "../config.js";
import { describeHold, holdLockName, isDeployLock } from "../locks.js";
import { PERMISSIONS } from "../permissions.js";
import { appArg, normaliseTarget, requiredEnvArg } from "./args.js";

/** The lock commands. */
export function lockCommands(config: DeployConfig) {
  const longest = formatDuration(config.maxLockDuration);
  const lock = defineCommand({
    name: "deploy lock",
    summary: "Hold an environment so nobody else deploys to it",
    examples: ["deploy lock api production for 2h db migration", "deploy lock puppet puppetmaster"],
    pattern: "{app} {env} [for {duration}] [{reason...}]",
    permission: PERMISSIONS.lock,
    args: {
      app: appArg(config),
      env: requiredEnvArg,
      duration: arg.duration({
        description: `how long (default ${formatDuration(config.lockDuration)}, at most ${longest})`,
      }),
      reason: arg.string({ rest: true, description: "why" }),
    },
    // Rules see the names as configured (`Production` is `production`) and the duration that will be held.
    prepare: ({ args }) => {
      const duration = args.duration ?? config.lockDuration;
      if (duration > config.maxLockDuration)
        throw new UserError(`a deploy lock lasts at most ${longest} (maxLockDuration); ask for ${longest} or less`);
      return { ...normaliseTarget(config, args), duration };
    },
    handler: async ({ args, locks, actor }): Promise<Block> => {
      const target = targetOf(config, args.app, args.env);
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
    summary: "Release your hold on an environment (--force breaks someone else's; needs deploy:unlock-force)",
    examples: ["deploy unlock api production", "deploy unlock api production --force"],
    pattern: "{app} {env}",
    permission: PERMISSIONS.lock,
    args: {
      app: appArg(config),
      env: requiredEnvArg,
      force: arg.flag({ description: "break someone else's lock (needs deploy:unlock-force; audited)" }),
    },
    prepare: ({ args }) => normaliseTarget(config, args),
    requirements: (args) => (args.force ? [{ reason: "force", permission: PERMISSIONS.unlockForce }] : []),
    // Who held the lock that --force breaks is found before the job starts, so the audit entry names them.
    check: async ({ args, locks, actor }): Promise<{ holder?: string; reason?: string; expiresAt?: string }> => {
      const name = holdLockName(args.app, args.env);
      const held = (await locks.list()).find((l) => l.name === name);
      if (!args.force || !held || held.owner === actor.id) return {};
      return {
        holder: held.owner,
        reason: held.reason,
        expiresAt: held.expiresAt.toISOString(),
      };
    },
    handler: async ({ args, locks, checked }): Promise<Block> => {
      const where = `${args.app}/${args.env}`;
      const name = holdLockName(args.app, args.env);
      if (await locks.release(name)) return out.status("ok", `unlocked ${where}`);
      const holder = (await locks.list()).find((l) => l.name === name);
      if (!holder) throw new UserError(`${where} is not locked`);
      if (!args.force)
        throw new UserError(`${where} is locked by ${describeHold(holder)}; only ${holder.owner} can unlock it`);
      if (holder.owner !== checked.holder)
        throw new DeniedError(
          `${where} changed hands while this was being checked; it is now locked by ${describeHold(holder)}`,
          `deploy lock ${where}`,
        );
      const broken = await locks.breakLock(name);
      if (!broken) throw new UserError(`${where} is not locked`);
      const left = formatDuration(Math.max(0, broken.expiresAt.getTime() - Date.now()));
      return out.status("ok", `unlocked ${where}: broke ${broken.owner}'s lock (${broken.reason}, ${left} left)`);
    },
  });
  const list = defineCommand({
    name: "deploy locks",
    summary: "Environments held with deploy lock, and deploys running",
    examples: ["deploy locks"],
    permission: PERMISSIONS.read,
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
