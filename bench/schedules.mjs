#!/usr/bin/env node
// Costs of aliases and schedules (issue 23): what alias expansion adds to a command, what one SQLite claim costs, and
// what one scheduler check costs with many schedules. Imports the built packages (npm run bootstrap first).
// Usage: node bench/schedules.mjs [--messages 20000] [--schedules 1000] [--claims 20000]
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { createBot, defineCommand, silentLogger } from "@switchboard/core";
import { openSqlite } from "@switchboard/store-sqlite";

const { values } = parseArgs({
  options: {
    messages: { type: "string", default: "20000" },
    schedules: { type: "string", default: "1000" },
    claims: { type: "string", default: "20000" },
  },
});
const messages = Number(values.messages);
const scheduleCount = Number(values.schedules);
const claims = Number(values.claims);
const dir = mkdtempSync(join(tmpdir(), "switchboard-bench-"));
const ms = (start) => Number(process.hrtime.bigint() - start) / 1e6;

const policy = {
  roles: { member: { permissions: ["schedule:write", "alias:write"] } },
  principals: { ana: { roles: ["member"], identities: { bench: "ana" } } },
};
const echo = defineCommand({ name: "echo", summary: "echo", guests: false, args: {}, handler: () => "ok" });
let n = 0;
const say = (bot, text) =>
  bot.handle(
    {
      id: `m${++n}`,
      network: "bench",
      room: { id: "#b", direct: false },
      sender: { id: "ana", name: "ana", verified: true },
      text,
      time: new Date(),
    },
    () => {},
  );

// 1. A typed command against the same command through an alias (sequential, in-memory store).
const bot = createBot({ logger: silentLogger(), policy, commands: [echo], rateLimit: false });
await bot.start();
await say(bot, "!alias add e = echo");
for (const text of ["!echo", "!e"]) for (let i = 0; i < 2000; i++) await say(bot, text); // warm-up
const perMessage = {};
for (const text of ["!echo", "!e", "!echo", "!e"]) {
  const start = process.hrtime.bigint();
  for (let i = 0; i < messages; i++) await say(bot, text);
  perMessage[text] = Math.min(perMessage[text] ?? Number.POSITIVE_INFINITY, (ms(start) * 1000) / messages);
}
await bot.stop();

// 2. Claims on SQLite: one connection, every claim new (a due time each).
const storage = openSqlite(join(dir, "claims.db"));
let start = process.hrtime.bigint();
for (let i = 0; i < claims; i++) await storage.store.claimOccurrence("schedule/bench", new Date(i * 60_000), "a");
const perClaim = (ms(start) * 1000) / claims;
storage.close();

// 3. One scheduler check with many schedules of which none is due, on SQLite.
const sched = openSqlite(join(dir, "schedules.db"));
const many = createBot({
  logger: silentLogger(),
  policy: { ...policy, principals: { ana: { ...policy.principals.ana } } },
  commands: [echo],
  rateLimit: false,
  store: sched.store,
  auditLog: sched.auditLog,
  schedules: { maxPerPerson: scheduleCount + 1 },
  timezone: "UTC",
});
for (let i = 0; i < scheduleCount; i++)
  await say(many, `!schedule add every day at ${i % 24}:${String(i % 60).padStart(2, "0")} echo`);
const checks = [];
for (let i = 0; i < 20; i++) {
  start = process.hrtime.bigint();
  await many.scheduler.tick();
  checks.push(ms(start));
}
checks.sort((a, b) => a - b);
sched.close();
rmSync(dir, { recursive: true, force: true });

console.log(`| measure | value |`);
console.log(`| --- | --- |`);
console.log(`| typed \`!echo\`, per message (sequential, ${messages}) | ${perMessage["!echo"].toFixed(1)} µs |`);
console.log(`| \`!e\` (alias of echo), per message | ${perMessage["!e"].toFixed(1)} µs |`);
console.log(`| SQLite claimOccurrence, per claim (${claims}) | ${perClaim.toFixed(1)} µs |`);
console.log(
  `| one scheduler check, ${scheduleCount} schedules on SQLite, none due (median of 20) | ${checks[10].toFixed(1)} ms |`,
);
