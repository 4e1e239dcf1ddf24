import { type ArgsSchema, arg } from "../args.js";
import { type AnyCommand, defineCommand } from "../command.js";
import { guestRefusal } from "../guests.js";
import type { Actor } from "../identity.js";
import { type Block, out } from "../output.js";
import { usageLine } from "../parse.js";
import type { BotServices } from "../services.js";

/** Whether the actor's roles allow the command's own permission (rules on arguments are checked when it runs). */
export function mayRun(bot: Pick<BotServices, "policy">, actor: Actor, command: AnyCommand): boolean {
  if (guestRefusal(command, actor, bot.policy.config.guestRole)) return false;
  return !command.permission || bot.policy.check(actor.roles, command.permission).held;
}

/** `help [command]`: the commands you may run, or the usage of one. */
export function helpCommand(bot: BotServices) {
  return defineCommand({
    name: "help",
    aliases: ["commands"],
    summary: "List the commands you may run, or show how to use one",
    examples: ["help", "help role grant"],
    args: { command: arg.string({ positional: true, rest: true, description: "a command name" }) },
    handler: ({ args, actor }): Block[] => {
      const p = bot.prefix;
      if (args.command) {
        const found = bot.registry.lookup(args.command.split(/\s+/));
        const alias = found.found ? undefined : bot.aliases.get(args.command.trim().split(/\s+/)[0] ?? "");
        const aliasList = bot.registry.get("alias list")?.command;
        if (alias && aliasList && mayRun(bot, actor, aliasList))
          return [
            out.text(
              `${p}${alias.name} is an alias for: ${alias.line}\n"${p}why ${alias.name} …" explains a use of it`,
            ),
          ];
        if (!found.found) {
          const group =
            found.prefix.length && !found.unknown ? found.group.map((g) => `${found.prefix.join(" ")} ${g}`) : [];
          if (group.length)
            return [out.text(`"${found.prefix.join(" ")}" has subcommands: ${group.map((g) => p + g).join(", ")}`)];
          const hint = found.suggestions.length
            ? ` Did you mean ${found.suggestions.map((s) => p + s).join(", ")}?`
            : "";
          return [out.status("fail", `no command "${args.command}".${hint}`)];
        }
        const { command } = found.entry;
        const blocks: Block[] = [out.text(`${command.summary}\nusage: ${usageLine(found.entry, p)}`)];
        const facts: Array<[string, string]> = [];
        if (command.aliases?.length) facts.push(["aliases", command.aliases.join(", ")]);
        facts.push(["permission", command.permission ?? "none"]);
        if (command.sideEffect) facts.push(["side effects", "yes"]);
        if (command.approval)
          facts.push(["approval", `${command.approval.count ?? 1} × ${command.approval.permission}`]);
        for (const [name, definition] of Object.entries(command.args as ArgsSchema)) {
          if (definition.options.description) facts.push([name, definition.options.description]);
        }
        blocks.push(out.facts(facts));
        if (command.examples?.length)
          blocks.push(out.text(`examples: ${command.examples.map((e) => p + e).join(" · ")}`));
        if (!mayRun(bot, actor, command))
          blocks.push(
            out.status(
              "warn",
              `you may not run this (${command.permission ? `needs ${command.permission}` : "not for guests"})`,
            ),
          );
        return blocks;
      }
      const visible = bot.registry.all().filter((e) => !e.command.hidden);
      const allowed = visible.filter((e) => mayRun(bot, actor, e.command));
      const rows = allowed.map((e) => [p + e.command.name, e.command.summary]);
      const blocks: Block[] = [out.table(["command", "what it does"], rows)];
      const hiddenCount = visible.length - allowed.length;
      const more = hiddenCount ? ` ${hiddenCount} more need permissions you don't have.` : "";
      blocks.push(out.text(`"${p}help <command>" shows how to use one.${more}`));
      const aliases = bot.aliases.list().filter((a) => !bot.aliases.shadowed(a.name));
      const aliasList = bot.registry.get("alias list")?.command;
      if (aliases.length && aliasList && mayRun(bot, actor, aliasList))
        blocks.push(out.text(`aliases: ${aliases.map((a) => p + a.name).join(", ")} ("${p}alias list" shows them)`));
      return blocks;
    },
  });
}
