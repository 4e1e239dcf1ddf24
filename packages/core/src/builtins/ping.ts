import { defineCommand } from "../commands/command.js";

/** `ping`: is the bot alive? */
export function pingCommand() {
  return defineCommand({
    name: "ping",
    summary: "Check that the bot is alive",
    guests: true,
    examples: ["ping"],
    handler: ({ actor }) => `pong, ${actor.name}`,
  });
}
