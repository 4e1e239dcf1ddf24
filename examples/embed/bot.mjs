// An existing bot with its own connection loop (here: lines "<user>: <text>" on stdin, as a chat log would
// deliver them) that hands messages to Switchboard's core and sends back the rendered replies. Its audit log and
// locks are kept in one SQLite file (OPSBOT_DB, default ./opsbot.db). Outside this repository:
//   npm install @switchboard/core @switchboard/store-sqlite && node bot.mjs
import { createInterface } from "node:readline";
import { arg, createBot, defineCommand, renderText, silentLogger } from "@switchboard/core";
import { openSqlite } from "@switchboard/store-sqlite";

const restart = defineCommand({
  name: "restart",
  summary: "Restart a service",
  permission: "service:restart",
  args: { service: arg.enum(["web", "worker"], { positional: true, required: true }) },
  handler: ({ args, actor }) => `restarted ${args.service} for ${actor.name}`,
});

const storage = openSqlite(process.env.OPSBOT_DB ?? "./opsbot.db");
const switchboard = createBot({
  name: "opsbot",
  logger: silentLogger(),
  store: storage.store,
  auditLog: storage.auditLog,
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
storage.close();
