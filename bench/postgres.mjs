// Several instances on PostgreSQL: audit appends/s and dispatched commands/s with 1, 2 and 4 instances (separate
// processes) on one PostgreSQL server, and the chain verified after each run. Every run gets a new database, created
// through BENCH_DATABASE_URL (a superuser's URL; the bench creates databases named bench_*):
//   BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres node bench/postgres.mjs \
//     [--runs 3] [--seconds 10] [--instances 1,2,4] [--kinds audit,dispatch] [--inflight 20]
// Prints a Markdown table (medians of the runs) and writes results/postgres.json. Needs `npm run build`.
import { spawn } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { cpus } from "node:os";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { verifyChain } from "@switchboard/core/audit";
import { openPostgres } from "@switchboard/store-postgres";
import pg from "pg";

const args = Object.fromEntries(
  process.argv.slice(2).flatMap((a, i, all) => (a.startsWith("--") ? [[a.slice(2), all[i + 1]]] : [])),
);
const runs = Number(args.runs ?? 3);
const seconds = Number(args.seconds ?? 10);
const counts = (args.instances ?? "1,2,4").split(",").map(Number);
const kinds = (args.kinds ?? "audit,dispatch").split(",");
const worker = fileURLToPath(new URL("./runners/postgres-instance.mjs", import.meta.url));

function instance(url, kind, name) {
  const child = spawn(
    process.execPath,
    [
      worker,
      "--url",
      url,
      "--kind",
      kind,
      "--seconds",
      String(seconds),
      "--instance",
      name,
      "--inflight",
      args.inflight ?? "20",
    ],
    { stdio: ["pipe", "pipe", "inherit"] },
  );
  const lines = createInterface({ input: child.stdout });
  const messages = [];
  const waiters = [];
  lines.on("line", (line) => {
    const message = JSON.parse(line);
    const waiter = waiters.shift();
    if (waiter) waiter(message);
    else messages.push(message);
  });
  const next = () => (messages.length ? Promise.resolve(messages.shift()) : new Promise((r) => waiters.push(r)));
  return { child, next };
}

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
};

const adminUrl = process.env.BENCH_DATABASE_URL;
if (!adminUrl) throw new Error("set BENCH_DATABASE_URL to a PostgreSQL superuser URL (see the header of this file)");
const admin = new pg.Client({ connectionString: adminUrl });
await admin.connect();
const cluster = {
  async database(name) {
    await admin.query(`DROP DATABASE IF EXISTS ${name}`);
    await admin.query(`CREATE DATABASE ${name}`);
    const url = new URL(adminUrl);
    url.pathname = `/${name}`;
    return url.toString();
  },
};
const settings = await admin.query("SELECT current_setting('synchronous_commit') AS sync, version() AS version");
const results = [];
try {
  let db = 0;
  for (const kind of kinds) {
    for (const count of counts) {
      const samples = [];
      for (let run = 0; run < runs; run++) {
        const url = await cluster.database(`bench_${kind}_${count}_${run}_${db++}`);
        const all = Array.from({ length: count }, (_, i) => instance(url, kind, `i${i}`));
        await Promise.all(all.map((p) => p.next()));
        for (const p of all) p.child.stdin.end("go\n");
        const reports = await Promise.all(all.map((p) => p.next()));
        const total = reports.reduce((sum, r) => sum + r.count, 0);
        const secondsTaken = Math.max(...reports.map((r) => r.seconds));
        const storage = await openPostgres({ url });
        const verified = await verifyChain(storage.auditLog.entries());
        await storage.close();
        const entries = kind === "audit" ? total : total * 2;
        if (!verified.ok || verified.checked !== entries)
          throw new Error(`chain check failed: ${JSON.stringify(verified)} for ${entries} entries`);
        samples.push({
          perSecond: total / secondsTaken,
          p50Ms: median(reports.map((r) => r.p50Ms)),
          p99Ms: Math.max(...reports.map((r) => r.p99Ms)),
        });
      }
      const row = {
        kind,
        instances: count,
        perSecond: Math.round(median(samples.map((s) => s.perSecond))),
        p50Ms: Number(median(samples.map((s) => s.p50Ms)).toFixed(2)),
        p99Ms: Number(median(samples.map((s) => s.p99Ms)).toFixed(2)),
        samples,
      };
      results.push(row);
      process.stderr.write(`${kind} × ${count}: ${row.perSecond}/s, p50 ${row.p50Ms} ms, p99 ${row.p99Ms} ms\n`);
    }
  }
} finally {
  await admin.end();
}
const out = fileURLToPath(new URL("./results/", import.meta.url));
mkdirSync(out, { recursive: true });
writeFileSync(
  `${out}postgres.json`,
  JSON.stringify(
    { machine: { cpus: cpus().length, node: process.version, ...settings.rows[0] }, runs, seconds, results },
    null,
    2,
  ),
);
console.log("| what | instances | per second | p50 ms | p99 ms |\n|---|---|---|---|---|");
for (const r of results)
  console.log(
    `| ${r.kind === "audit" ? "audit appends" : "commands dispatched"} | ${r.instances} | ${r.perSecond} | ${r.p50Ms} | ${r.p99Ms} |`,
  );
