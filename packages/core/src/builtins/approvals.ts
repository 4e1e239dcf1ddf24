import { arg } from "../commands/args.js";
import { defineCommand } from "../commands/command.js";
import { out } from "../output/output.js";
import type { BotServices } from "../runtime/services.js";

/** `approve <id>` and `deny <id>`: from any room, on any network. */
export function approvalCommands(bot: BotServices) {
  const id = arg.string({ positional: true, required: true, description: "the job id from the approval request" });
  const approve = defineCommand({
    name: "approve",
    summary: "Approve a job waiting for approval",
    examples: ["approve k3j9x"],
    guests: false,
    args: { id },
    handler: async ({ args, actor }) => out.status("ok", await bot.approve(args.id, actor)),
  });
  const deny = defineCommand({
    name: "deny",
    aliases: ["refuse"],
    summary: "Refuse a job waiting for approval (or withdraw your own request)",
    examples: ["deny k3j9x"],
    guests: false,
    args: { id },
    handler: async ({ args, actor }) => out.status("ok", await bot.deny(args.id, actor)),
  });
  return [approve, deny];
}
