// Approvals through another instance on PostgreSQL: how long from `approve <id>` to the job's handler starting,
// when the approval is given on the instance holding the job (A) and when it is given on another one (B: vote row
// and audit entry in one transaction, NOTIFY, the holder's conditional start). Two bots, each with its own pool and
// LISTEN connection, in this process; a new database per run through BENCH_DATABASE_URL (a superuser's URL):
//   BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres node bench/approvals-postgres.mjs [--rounds 30]
// Prints a Markdown table (p50/p90/max in ms). Needs `npm run build`.
import { performance } from "node:perf_hooks";
import { arg, createBot, defineCommand, out, silentLogger } from "@switchboard/core";
import { verifyChain } from "@switchboard/core/audit";
import { InstanceRegistry, openPostgres } from "@switchboard/store-postgres";
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
const name = `bench_approvals_${Date.now()}`;
await admin.query(`CREATE DATABASE ${name}`);
const url = new URL(adminUrl);
url.pathname = `/${name}`;

const started = new Map();
async function instance(id) {
  const storage = await openPostgres({ url: url.toString(), instance: id });
  const registry = new InstanceRegistry({ pool: storage.pool, instance: id });
  await registry.start();
  const adapter = new MemoryAdapter("slack");
  const asked = new Map();
  adapter.onSend((sent) => {
    if (sent.message.approvalRequest && sent.message.jobId) asked.get("next")?.(sent.message.jobId);
  });
  const bot = createBot({
    store: storage.store,
    auditLog: storage.auditLog,
    policy: {
      roles: { approver: { permissions: ["deploy", "deploy:approve"] } },
      principals: {
        alice: { roles: ["approver"], identities: { slack: "alice" } },
        bob: { roles: ["approver"], identities: { slack: "bob" } },
      },
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
        sideEffect: true,
        args: { env: arg.string({ positional: true }) },
        approval: { permission: "deploy:approve" },
        handler: async (ctx) => {
          started.get(ctx.job.id)?.();
          return out.status("ok", "deployed");
        },
      }),
    ],
  });
  await bot.start();
  let n = 0;
  const say = (from, text) =>
    adapter.inject({
      id: `${id}-${++n}`,
      network: "slack",
      room: { id: "C1", direct: false },
      sender: { id: from, name: from, verified: true },
      text,
      time: new Date(),
    });
  const request = async () => {
    const job = new Promise((resolve) => asked.set("next", resolve));
    await say("alice", "!deploy prod");
    return job;
  };
  return { bot, storage, registry, say, request };
}

const a = await instance("a");
const b = await instance("b");

async function measure(approveOn) {
  const times = [];
  for (let i = 0; i < rounds; i++) {
    const job = await a.request();
    const running = new Promise((resolve) => started.set(job, resolve));
    const t0 = performance.now();
    await approveOn.say("bob", `!approve ${job}`);
    await running;
    times.push(performance.now() - t0);
    await a.bot.idle();
  }
  return times.sort((x, y) => x - y);
}

const q = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))].toFixed(1);
const local = await measure(a);
const remote = await measure(b);
const verified = await verifyChain(a.storage.auditLog.entries());

console.log(`| approval given on | rounds | p50 ms | p90 ms | max ms |`);
console.log(`| ----------------- | ------ | ------ | ------ | ------ |`);
console.log(`| A (holds the job) | ${rounds} | ${q(local, 0.5)} | ${q(local, 0.9)} | ${q(local, 1)} |`);
console.log(`| B (another one)   | ${rounds} | ${q(remote, 0.5)} | ${q(remote, 0.9)} | ${q(remote, 1)} |`);
console.log(`chain: ${verified.ok ? "verified" : "BROKEN"}, ${verified.checked} entries`);

for (const i of [a, b]) {
  await i.bot.stop();
  await i.registry.stop();
  await i.storage.close();
}
await admin.query(`DROP DATABASE ${name}`);
await admin.end();
