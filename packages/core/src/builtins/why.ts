import { arg } from "../commands/args.js";
import { defineCommand } from "../commands/command.js";
import { joinWords } from "../commands/tokenize.js";
import { type Block, out } from "../output/output.js";
import { UserError } from "../runtime/errors.js";
import type { BotServices } from "../runtime/services.js";

/**
 * `why <command line>`: would this be allowed, and which rule decides? Uses dispatch's own evaluation, so an alias is
 * explained through its expansion (shown unless the command has secret arguments).
 */
export function whyCommand(bot: BotServices) {
  return defineCommand({
    name: "why",
    summary: "Explain whether you may run a command line, and which rule decides",
    guests: true,
    examples: ["why deploy api to production", "why role grant bob admin"],
    args: {
      line: arg.string({
        positional: true,
        rest: true,
        verbatim: true,
        required: true,
        description: "the command line to explain",
      }),
    },
    handler: ({ args, actor, message }): Block[] => {
      const line = args.line.startsWith(bot.prefix) ? args.line.slice(bot.prefix.length) : args.line;
      let evaluation: ReturnType<typeof bot.evaluate>;
      try {
        evaluation = bot.evaluate(message, line, actor);
      } catch (error) {
        // Bad arguments (or a refusal while preparing them): say that this line would be refused, and why.
        if (!(error instanceof UserError)) throw error;
        return [
          out.status("fail", `refused before any decision: ${error.message}`),
          ...(error.hint ? [out.text(error.hint)] : []),
        ];
      }
      if (!evaluation.found) throw new UserError(`no command matches "${line}"`, `try ${bot.prefix}help`);
      const { decision } = evaluation;
      const rules = bot.policy
        .matchingRules({
          actor,
          command: evaluation.entry.command,
          args: evaluation.args,
          network: message.network,
          room: message.room.id,
        })
        .map((r) => r.name);
      // A role grant or revoke of a role that does not exist would be allowed and then fail: say so here (a warning,
      // not a denial: the decision itself is what dispatch would make).
      const role = evaluation.args.role;
      const missingRole =
        decision.allowed &&
        evaluation.entry.command.name.startsWith("role ") &&
        typeof role === "string" &&
        !Object.hasOwn(bot.policy.config.roles, role);
      const blocks: Block[] = [
        missingRole
          ? out.status(
              "warn",
              `allowed, but it would fail: no role "${role}" is defined (roles: ${Object.keys(bot.policy.config.roles).join(", ") || "none"})`,
            )
          : decision.allowed
            ? out.status(
                decision.approval ? "warn" : "ok",
                `allowed${decision.approval ? " after approval" : ""}: ${decision.reason}`,
              )
            : out.status("fail", `denied: ${decision.reason}`),
      ];
      const facts: Array<[string, string]> = [];
      const { alias, entry } = evaluation;
      if (alias) facts.push(["alias", entry.hasSecrets ? alias.name : `${alias.name} → ${joinWords(alias.expansion)}`]);
      facts.push(
        ["decided by", decision.rule],
        ["your roles", actor.roles.join(", ") || "none"],
        ["matching rules", rules.join(", ") || "none"],
      );
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
