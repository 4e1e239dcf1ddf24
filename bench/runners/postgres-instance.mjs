// One instance for bench/postgres.mjs: opens the shared PostgreSQL database and, when it reads "go" on stdin, runs
// for --seconds:
//   --kind audit     appends one-record batches back to back (one audit_append round trip each)
//   --kind select1   runs `SELECT 1` back to back (one round trip, no commit): the machine's floor
//   --kind dispatch  sends commands to a bot on store-postgres, --inflight at a time; each command is claimed with
//                    its `admitted` entry before it runs and closed with its `outcome` (see bench/README.md)
//   --rate R         open loop instead: R commands a second (latency counted from when each was due), not --inflight
//   --store PATH     imports the store from PATH instead of @switchboard/store-postgres (an older build, to compare
//                    before and after in the same run)
// then prints one JSON line: { count, failed, seconds, p50Ms, p99Ms, cpuMs } (failed: commands answered with an error) (cpuMs: this process's user + system CPU).
import { performance } from "node:perf_hooks";
import { createInterface } from "node:readline";
import { pathToFileURL } from "node:url";
import { arg, createBot, defineCommand, silentLogger } from "@switchboard/core";

const args = Object.fromEntries(
  process.argv.slice(2).flatMap((a, i, all) => (a.startsWith("--") ? [[a.slice(2), all[i + 1]]] : [])),
);
const seconds = Number(args.seconds ?? 10);
const inflight = Number(args.inflight ?? 20);
const instance = args.instance ?? `bench-${process.pid}`;
const { openPostgres } = await import(args.store ? pathToFileURL(args.store).href : "@switchboard/store-postgres");
const storage = await openPostgres({ url: args.url, instance, poolSize: Number(args.pool ?? 10) });

let bot;
if (args.kind === "dispatch") {
  bot = createBot({
    logger: silentLogger(),
    store: storage.store,
    auditLog: storage.auditLog,
    rateLimit: false,
    commands: [
      defineCommand({
        name: "echo",
        summary: "answers its argument",
        permission: "bench:run",
        args: { value: arg.string({ positional: true, required: true }) },
        handler: ({ args: a }) => `ok ${a.value}`,
      }),
    ],
    policy: {
      roles: { bencher: { permissions: ["bench:*"] } },
      principals: { bench: { roles: ["bencher"], identities: { bench: "bench" } } },
    },
  });
  await bot.start();
}
process.stdout.write(`${JSON.stringify({ ready: true })}\n`);
await new Promise((resolve) => createInterface({ input: process.stdin }).once("line", resolve));

const cpuBefore = process.cpuUsage();
const latencies = [];
const end = performance.now() + seconds * 1000;
let n = 0;
let failed = 0;
const sender = { id: "bench", name: "bench", verified: true };
const room = { id: "#bench", direct: false };
/** `scheduled`: when an open-loop command was due (latency counts from then, so a late send is not hidden). */
async function one(scheduled) {
  const i = n++;
  const started = scheduled ?? performance.now();
  if (args.kind === "select1") {
    await storage.pool.query("SELECT 1");
  } else if (args.kind === "audit") {
    await storage.auditLog.append([{ event: "plugin", actor: instance, detail: { i } }]);
  } else {
    let reply;
    await bot.handle(
      { id: `${instance}-${i}`, network: "bench", room, sender, text: `!echo v${i}`, time: new Date() },
      {
        respond: async (out) => {
          reply = out.blocks[0]?.text;
        },
      },
    );
    if (reply !== `ok v${i}`) {
      // Overload (a lock_timeout on the audit head, say): the bot answered with an internal error. Counted apart.
      failed++;
      return;
    }
  }
  latencies.push(performance.now() - started);
}
const began = performance.now();
const rate = Number(args.rate ?? 0);
if (rate > 0) {
  // Open loop: `rate` commands a second whatever the answers do, then wait for the last ones.
  const running = new Set();
  let sent = 0;
  while (performance.now() < end) {
    const due = Math.floor(((performance.now() - began) / 1000) * rate);
    for (; sent < due; sent++) {
      const work = one(began + (sent / rate) * 1000);
      running.add(work);
      work.finally(() => running.delete(work));
    }
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
  await Promise.all(running);
} else {
  const lanes = args.kind === "dispatch" ? inflight : 1;
  await Promise.all(
    Array.from({ length: lanes }, async () => {
      while (performance.now() < end) await one();
    }),
  );
}
const took = (performance.now() - began) / 1000;
const cpu = process.cpuUsage(cpuBefore);
latencies.sort((a, b) => a - b);
const at = (q) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))];
await bot?.stop();
await storage.close();
// Exit once reported: the stdin reader would keep the process alive.
process.stdout.write(
  `${JSON.stringify({ count: latencies.length, failed, seconds: took, p50Ms: at(0.5), p99Ms: at(0.99), cpuMs: (cpu.user + cpu.system) / 1000 })}\n`,
  () => process.exit(0),
);
