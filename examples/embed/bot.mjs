// An existing bot with its own connection loop (here: lines "<user>: <text>" on stdin, as a chat log would
// deliver them) that hands messages to Switchboard's core and sends back the rendered replies.
import { createInterface } from "node:readline";
import { arg, createBot, defineCommand, MemoryAuditLog, renderText, silentLogger } from "@switchboard/core";

const restart = defineCommand({
  name: "restart",
  summary: "Restart a service",
  permission: "service:restart",
  args: { service: arg.enum(["web", "worker"], { positional: true, required: true }) },
  handler: ({ args, actor }) => `restarted ${args.service} for ${actor.name}`,
});

const switchboard = createBot({
  name: "opsbot",
  logger: silentLogger(),
  auditLog: new MemoryAuditLog(),
  commands: [restart],
  policy: {
    roles: { oncall: { permissions: ["service:*", "audit:read"] } },
    // This bot's network authenticates its users, so their names are verified identities here.
    principals: { ana: { roles: ["oncall"], identities: { chatlog: "ana" } } },
  },
});
await switchboard.start();

const say = (text) => process.stdout.write(`opsbot> ${text.replaceAll("\n", "\nopsbot> ")}\n`);
let id = 0;
for await (const line of createInterface({ input: process.stdin })) {
  const [, user, text] = /^(\w+):\s*(.*)$/.exec(line) ?? [];
  if (!user) continue;
  if (text === "hello") {
    say(`hello ${user}, I am the old bot`); // the host bot's own features keep working
    continue;
  }
  const message = {
    id: String(++id),
    network: "chatlog",
    room: { id: "#ops", direct: false },
    sender: { id: user, name: user, verified: true },
    text,
    time: new Date(),
  };
  await switchboard.handle(message, { respond: async (reply) => say(renderText(reply.blocks)) });
}
await switchboard.idle();
await switchboard.stop();
