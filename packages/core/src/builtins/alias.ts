/**
 * `alias add|list|remove`: team-wide shorthands for command lines, kept in the store and audited.
 * @module
 */
import { arg } from "../args.js";
import { defineCommand } from "../command.js";
import { UserError } from "../errors.js";
import { out } from "../output.js";
import type { BotServices } from "../services.js";
import { joinWords, tokenize } from "../tokenize.js";

/** The alias commands. */
export function aliasCommands(bot: BotServices) {
  const audit = (actorId: string, jobId: string, change: string, name: string, line?: string) =>
    bot.auditLog.append([
      {
        event: "alias",
        jobId,
        actor: actorId,
        command: `alias ${change}`,
        detail: { change, name, ...(line !== undefined ? { line } : {}) },
      },
    ]);

  const add = defineCommand({
    name: "alias add",
    summary: "Add a team-wide alias for a command line ($1 … $9 and $* stand for the words after it)",
    examples: ["alias add dp = deploy $1 to production", "alias add restart-web = service restart web $*"],
    permission: "alias:write",
    sideEffect: true,
    args: {
      definition: arg.string({
        positional: true,
        rest: true,
        verbatim: true,
        required: true,
        description: "<name> = <command line>",
      }),
    },
    handler: async ({ args, actor, job }) => {
      const words = tokenize(args.definition);
      if (words.length < 3 || words[1] !== "=")
        throw new UserError("an alias is written as <name> = <command line>", "alias add dp = deploy $1 to production");
      const line = joinWords(words.slice(2));
      const replaced = bot.aliases.get(words[0]!) !== undefined;
      const alias = await bot.aliases.add(words[0]!, line, actor.id, new Date());
      await audit(actor.id, job.id, "add", alias.name, alias.line);
      return out.status("ok", `${bot.prefix}${alias.name} ${replaced ? "now stands" : "stands"} for: ${alias.line}`);
    },
  });

  const list = defineCommand({
    name: "alias list",
    summary: "List the team's aliases",
    examples: ["alias list"],
    guests: false,
    handler: () => {
      const aliases = bot.aliases.list();
      if (aliases.length === 0) return `no aliases (add one with ${bot.prefix}alias add <name> = <command line>)`;
      const rows = aliases.map((a) => [
        bot.prefix + a.name,
        a.line + (bot.aliases.shadowed(a.name) ? " (hidden: a command now has this name)" : ""),
        a.createdBy,
      ]);
      return [out.table(["alias", "stands for", "added by"], rows)];
    },
  });

  const remove = defineCommand({
    name: "alias remove",
    summary: "Remove an alias",
    examples: ["alias remove dp"],
    permission: "alias:write",
    sideEffect: true,
    args: { name: arg.string({ positional: true, required: true, description: "the alias name" }) },
    handler: async ({ args, actor, job }) => {
      const existing = bot.aliases.get(args.name);
      if (!existing || !(await bot.aliases.remove(args.name))) throw new UserError(`no alias "${args.name}"`);
      await audit(actor.id, job.id, "remove", existing.name, existing.line);
      return out.status("ok", `removed alias ${existing.name}`);
    },
  });
  return [add, list, remove];
}
