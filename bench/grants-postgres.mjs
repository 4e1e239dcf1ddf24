// Runtime role grants on several instances (PostgreSQL): how long from `role grant` (or `role revoke`) answered on
// instance A until instance B acts on it — the NOTIFY sent in the write's transaction, B's LISTEN connection, B
// reading the grants again. B is asked over and over (`deploy` from the grantee, each answer awaited) from the
// moment A answered; the time is until B's first answer that follows the change, so it includes up to one B round
// trip of polling. Two bots, each with its own pool and LISTEN connections, in this process; a new database per run
// through BENCH_DATABASE_URL (a superuser's URL):
//   BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres node bench/grants-postgres.mjs [--rounds 30]
// Prints a Markdown table (p50/p90/max in ms) and the number of B's answers per change. Needs `npm run build`.
import { performance } from "node:perf_hooks";
import { arg, createBot, defineCommand, out, renderText, silentLogger } from "@switchboard/core";
import { openPostgres } from "@switchboard/store-postgres";
import { MemoryAdapter } from "@switchboard/testing";
import pg from "pg";

const args = Object.fromEntries(
  process.argv.slice(2).flatMap((a, i, all) => (a.startsWith("--") ? [[a.slice(2), all[i + 1]]] : [])),
);
const rounds = Number(args.rounds ?? 30);
const adminUrl = process.env.BENCH_DATABASE_URL;
if (!adminUrl) throw new Error("set BENCH_DATABASE_URL (a superuser's URL; databases named bench_* are created)");

const admin = new pg.Client({ connectionString: adminUrl });
await admin.connect();
const name = `bench_grants_${Date.now()}`;
await admin.query(`CREATE DATABASE ${name}`);
const url = new URL(adminUrl);
url.pathname = `/${name}`;

async function instance(id) {
  const storage = await openPostgres({ url: url.toString(), instance: id });
  const adapter = new MemoryAdapter("slack");
  const bot = createBot({
    store: storage.store,
    auditLog: storage.auditLog,
    policy: {
      roles: {
        approver: { permissions: ["deploy", "deploy:approve"] },
        admin: { permissions: ["deploy", "deploy:approve", "role:grant", "role:revoke"] },
      },
      principals: { root: { roles: ["admin"], identities: { slack: "root" } } },
    },
    logger: silentLogger(),
    rateLimit: false,
    adapters: [adapter],
    commands: [
      defineCommand({
        name: "deploy",
        summary: "deploy",
        permission: "deploy",
        guests: false,
        args: { env: arg.string({ positional: true }) },
        handler: async () => out.status("ok", "deployed"),
      }),
    ],
  });
  await bot.start();
  let n = 0;
  /** Sends `text` from `from`; resolves to the answer. */
  const say = async (from, text) => {
    const answers = [];
    const stop = adapter.onSend((sent) => answers.push(renderText(sent.message.blocks)));
    await adapter.inject({
      id: `${id}-${++n}`,
      network: "slack",
      room: { id: "C1", direct: false },
      sender: { id: from, name: from, verified: true },
      text,
      time: new Date(),
    });
    stop?.();
    return answers.join("\n");
  };
  return { bot, storage, say };
}

const a = await instance("a");
const b = await instance("b");

/** From `change` answered on A until B's `deploy` from erin is taken (`want`) or refused; ms and B's answers. */
async function follow(change, want) {
  const answer = await a.say("root", change);
  if (!/now has role|no longer has role/.test(answer)) throw new Error(`A answered: ${answer}`);
  const t0 = performance.now();
  for (let tries = 1; ; tries++) {
    const taken = (await b.say("erin", "!deploy x")).includes("deployed");
    if (taken === want) return { ms: performance.now() - t0, tries };
    if (tries > 10_000) throw new Error("B never followed");
  }
}

const grants = [];
const revokes = [];
const tries = [];
for (let i = 0; i < rounds; i++) {
  const g = await follow("!role grant slack:erin approver", true);
  const r = await follow("!role revoke slack:erin approver", false);
  grants.push(g.ms);
  revokes.push(r.ms);
  tries.push(g.tries, r.tries);
}
const q = (values, p) => {
  const sorted = [...values].sort((x, y) => x - y);
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))].toFixed(1);
};
console.log(`| change on A       | rounds | p50 ms | p90 ms | max ms |`);
console.log(`| ----------------- | ------ | ------ | ------ | ------ |`);
console.log(`| grant → B takes   | ${rounds} | ${q(grants, 0.5)} | ${q(grants, 0.9)} | ${q(grants, 1)} |`);
console.log(`| revoke → B denies | ${rounds} | ${q(revokes, 0.5)} | ${q(revokes, 0.9)} | ${q(revokes, 1)} |`);
console.log(`B's answers per change: median ${q(tries, 0.5)}, max ${q(tries, 1)}`);

for (const i of [a, b]) {
  await i.bot.stop();
  await i.storage.close();
}
await admin.query(`DROP DATABASE ${name}`);
await admin.end();
