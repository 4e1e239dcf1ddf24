import { arg } from "../args.js";
import type { Bot } from "../bot.js";
import { defineCommand } from "../command.js";
import { DeniedError, UserError } from "../errors.js";
import { type Block, out } from "../output.js";
import { parseArgs } from "../parse.js";
import { tokenize } from "../tokenize.js";

/** `why <command line>`: would this be allowed, and which rule decides? */
export function whyCommand(bot: Bot) {
  return defineCommand({
    name: "why",
    summary: "Explain whether you may run a command line, and which rule decides",
    examples: ["why deploy api to production", "why role grant bob admin"],
    args: {
      line: arg.string({ positional: true, rest: true, required: true, description: "the command line to explain" }),
    },
    handler: ({ args, actor, message }): Block[] => {
      const line = args.line.startsWith(bot.prefix) ? args.line.slice(bot.prefix.length) : args.line;
      const found = bot.registry.lookup(tokenize(line));
      if (!found.found) throw new UserError(`no command matches "${line}"`, `try ${bot.prefix}help`);
      let parsed = parseArgs(found.entry, found.rest, bot.prefix);
      const { prepare } = found.entry.command;
      if (prepare) {
        try {
          parsed = prepare({ args: parsed, invokedAs: found.name, actor, message });
        } catch (error) {
          if (!(error instanceof DeniedError)) throw error;
          return [out.status("fail", `denied: ${error.message}`), out.facts([["decided by", error.rule]])];
        }
      }
      const input = {
        actor,
        command: found.entry.command,
        args: parsed,
        network: message.network,
        room: message.room.id,
      };
      const decision = bot.policy.decide(input);
      const rules = bot.policy.matchingRules(input).map((r) => r.name);
      const blocks: Block[] = [
        decision.allowed
          ? out.status(
              decision.approval ? "warn" : "ok",
              `allowed${decision.approval ? " after approval" : ""}: ${decision.reason}`,
            )
          : out.status("fail", `denied: ${decision.reason}`),
      ];
      const facts: Array<[string, string]> = [
        ["decided by", decision.rule],
        ["your roles", actor.roles.join(", ") || "none"],
        ["matching rules", rules.join(", ") || "none"],
      ];
      if (decision.allowed && decision.approval) {
        facts.push([
          "approval",
          `${decision.approval.count ?? 1} × ${decision.approval.permission} (${decision.approval.rule})`,
        ]);
      }
      blocks.push(out.facts(facts));
      return blocks;
    },
  });
}
