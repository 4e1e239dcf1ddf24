import { arg } from "../commands/args.js";
import { defineCommand } from "../commands/command.js";
import { out } from "../output/output.js";
import type { Actor } from "../policy/identity.js";
import { DeniedError, UserError } from "../runtime/errors.js";
import type { BotServices } from "../runtime/services.js";

/** `role grant|revoke|list`: runtime role changes, persisted in the store and audited. */
export function roleCommands(bot: BotServices) {
  const target = arg.string({ positional: true, required: true, description: "a principal, or network:id" });
  const role = arg.string({ positional: true, required: true, description: "a role from the configuration" });

  const knownRole = (name: string) => {
    if (!Object.hasOwn(bot.policy.config.roles, name)) {
      throw new UserError(
        `no role "${name}"`,
        `roles: ${Object.keys(bot.policy.config.roles).join(", ") || "none configured"}`,
      );
    }
  };
  /**
   * You may only hand out roles whose every permission you hold yourself; a role that denies something (`!x`)
   * changes what its holder may do in ways a grant of permissions does not, so it needs `role:grant-deny`.
   */
  const mayHandOut = (actor: Actor, name: string, verb: string) => {
    for (const permission of bot.policy.config.roles[name]?.permissions ?? []) {
      if (permission.startsWith("!")) {
        if (!bot.policy.check(actor.roles, "role:grant-deny").held)
          throw new DeniedError(
            `you cannot ${verb} role ${name}: it denies ${permission.slice(1)}, and changing deny roles needs permission role:grant-deny`,
            `command role ${verb}`,
          );
        continue;
      }
      if (!bot.policy.check(actor.roles, permission).held) {
        throw new DeniedError(
          `you cannot ${verb} role ${name}: it grants ${permission}, which you do not hold`,
          `command role ${verb}`,
        );
      }
    }
  };
  const audit = (actor: Actor, jobId: string, change: string, who: string, name: string) =>
    bot.auditLog.append([
      { event: "role", jobId, actor: actor.id, command: `role ${change}`, detail: { change, role: name, target: who } },
    ]);
  const resolveTarget = (text: string, network: string) => {
    const id = bot.identity.actorIdFor(text, network);
    if (id.startsWith("guest:")) throw new UserError("roles can only be given to verified identities");
    return id;
  };

  const grant = defineCommand({
    name: "role grant",
    summary: "Give someone a role (persisted, audited)",
    examples: ["role grant bob deployer", "role grant irc:carol oncall"],
    permission: "role:grant",
    sideEffect: true,
    args: { who: target, role },
    handler: async ({ args, actor, message, job }) => {
      knownRole(args.role);
      mayHandOut(actor, args.role, "grant");
      const who = resolveTarget(args.who, message.network);
      if (!(await bot.identity.grant(who, args.role, actor.id))) return `${who} already has role ${args.role}`;
      await audit(actor, job.id, "grant", who, args.role);
      return out.status("ok", `${who} now has role ${args.role}`);
    },
  });
  const revoke = defineCommand({
    name: "role revoke",
    summary: "Take a role given with role grant away again",
    examples: ["role revoke bob deployer"],
    permission: "role:revoke",
    sideEffect: true,
    args: { who: target, role },
    handler: async ({ args, actor, message, job }) => {
      knownRole(args.role);
      mayHandOut(actor, args.role, "revoke");
      const who = resolveTarget(args.who, message.network);
      if (!(await bot.identity.revoke(who, args.role))) {
        const fromConfig = bot.identity.configuredRoles(who).includes(args.role);
        throw new UserError(
          fromConfig
            ? `${who} has role ${args.role} from the configuration file; change it there`
            : `${who} does not have role ${args.role}`,
        );
      }
      await audit(actor, job.id, "revoke", who, args.role);
      return out.status("ok", `${who} no longer has role ${args.role}`);
    },
  });
  const list = defineCommand({
    name: "role list",
    summary: "List roles and who holds them",
    examples: ["role list", "role list bob"],
    permission: "role:read",
    args: { who: arg.string({ positional: true, description: "only this principal" }) },
    handler: ({ args, message }) => {
      if (args.who) {
        const who = bot.identity.actorIdFor(args.who, message.network);
        return out.facts([
          ["from config", bot.identity.configuredRoles(who).join(", ") || "none"],
          ["granted", bot.identity.grantedRoles(who).join(", ") || "none"],
        ]);
      }
      const holders = new Map<string, string[]>();
      for (const [principal, config] of Object.entries(bot.policy.config.principals)) {
        for (const r of config.roles) holders.set(r, [...(holders.get(r) ?? []), principal]);
      }
      for (const [who, roles] of bot.identity.allGrants()) {
        for (const r of roles) holders.set(r, [...(holders.get(r) ?? []), `${who} (granted)`]);
      }
      const rows = Object.entries(bot.policy.config.roles).map(([name, r]) => [
        name,
        r.permissions.join(", "),
        (holders.get(name) ?? []).join(", "),
      ]);
      return [out.table(["role", "permissions", "holders"], rows)];
    },
  });
  return [grant, revoke, list];
}
