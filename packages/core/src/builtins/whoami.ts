import { defineCommand } from "../commands/command.js";
import { out } from "../output/output.js";
import type { BotServices } from "../runtime/services.js";

/** `whoami`: who the bot thinks you are, and what you may do. */
export function whoamiCommand(bot: BotServices) {
  return defineCommand({
    name: "whoami",
    summary: "Show who the bot thinks you are, your roles and permissions",
    guests: true,
    examples: ["whoami"],
    handler: ({ actor }) => {
      const grants = bot.policy.grantsOf(actor.roles);
      return [
        out.facts([
          [
            "you are",
            actor.known
              ? `${actor.name} (principal ${actor.id})`
              : actor.verified
                ? `${actor.id} (not linked to a principal)`
                : `a guest`,
          ],
          [
            "network",
            `${actor.network} as ${actor.sender.id}${actor.sender.name !== actor.sender.id ? ` (${actor.sender.name})` : ""}`,
          ],
          [
            "verified",
            actor.verified ? "yes, by the network" : "no: log in with the network's services to be recognised",
          ],
          ["roles", actor.roles.join(", ") || "none"],
          ["permissions", grants.join(", ") || "none"],
        ]),
      ];
    },
  });
}
