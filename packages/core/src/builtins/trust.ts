/**
 * `trust reset <user>`: the bot accepts a person's current identity again after they reset it (on Matrix: their
 * cross-signing, which makes rules with `requireVerifiedDevice` refuse every device of theirs until then).
 * @module
 */
import { arg } from "../commands/args.js";
import { defineCommand } from "../commands/command.js";
import { out } from "../output/output.js";
import { DeniedError, UserError } from "../runtime/errors.js";
import type { BotServices } from "../runtime/services.js";

/**
 * `trust reset`: permission `trust:reset`, audited (`trust` entry with the identity accepted). Never for yourself:
 * a new identity is exactly what someone with your password makes, so another person must accept it.
 */
export function trustCommand(bot: BotServices) {
  return defineCommand({
    name: "trust reset",
    summary: "Accept a person's new identity after they reset it (Matrix cross-signing)",
    examples: ["trust reset @alice:example.org", "trust reset alice --network matrix"],
    permission: "trust:reset",
    sideEffect: true,
    args: {
      user: arg.string({ positional: true, required: true, description: "a network user id, or a principal" }),
      network: arg.string({ description: "the network (default: where you ask)" }),
    },
    handler: async ({ args, actor, message, job }) => {
      const network = args.network ?? message.network;
      const linked = bot.identity.identitiesOf(args.user).filter((identity) => identity.network === network);
      const users = linked.length > 0 ? linked.map((identity) => identity.id) : [args.user];
      const lines = [];
      for (const user of users) {
        const owner = bot.identity.principalOf(network, user) ?? `${network}:${user}`;
        if (owner === actor.id) {
          throw new DeniedError(
            `you cannot reset trust in your own identity (${user}): a new identity is what someone with your password would make, so another person with trust:reset must accept it`,
            "command trust reset",
          );
        }
        const reset = await bot.resetTrust(network, user);
        if (!reset) throw new UserError(`the ${network} adapter has no identities to trust`);
        await bot.auditLog.append([
          {
            event: "trust",
            jobId: job.id,
            actor: actor.id,
            network,
            command: "trust reset",
            detail: { user, identity: reset.identity, changed: reset.changed },
          },
        ]);
        lines.push(
          reset.changed
            ? out.status(
                "ok",
                `${user}'s identity ${reset.identity} is accepted now; their devices signed by it count as verified`,
              )
            : out.status("ok", `the bot already accepts ${user}'s identity ${reset.identity}; nothing changed`),
        );
      }
      return lines;
    },
  });
}
