import { defineCommand } from "../commands/command.js";
import { out } from "../output/output.js";
import { who } from "../policy/identity.js";
import { UserError } from "../runtime/errors.js";
import type { BotServices } from "../runtime/services.js";

/** `leave`: the bot leaves the room it is asked in (permission `rooms:leave`; audited like every command). */
export function leaveCommand(bot: BotServices) {
  return defineCommand({
    name: "leave",
    summary: "Make the bot leave this room",
    examples: ["leave"],
    permission: "rooms:leave",
    sideEffect: true,
    handler: async ({ message, actor, reply }) => {
      if (message.room.direct) throw new UserError("this is a direct conversation; there is no room to leave");
      await reply(out.status("ok", `leaving at the request of ${who(actor)}`));
      if (!(await bot.leave(message.network, message.room)))
        throw new UserError(`the ${message.network} adapter cannot leave rooms`);
      return undefined;
    },
  });
}
