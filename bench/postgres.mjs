// Several instances on PostgreSQL: audit appends/s and dispatched commands/s with 1, 2 and 4 instances (separate
// processes) on one PostgreSQL server, and the chain verified after each run. Every run gets a new database, created
// through BENCH_DATABASE_URL (a superuser's URL; the bench creates databases named bench_*):
//   BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres node bench/postgres.mjs \
//     [--runs 3] [--seconds 10] [--instances 1,2,4] [--kinds select1,audit,dispatch] [--inflight 20] [--pool 10]
//     [--stores before=results/before/dist/index.js,after] [--rate 2000]
// --rate R: dispatch as an open loop, R commands a second in total split over the instances (latency from when each
// command was due), instead of --inflight commands in flight per instance (a closed loop: the most it does).
// --stores compares builds of store-postgres in the same run (`after` is the package as built; a path is a copy of
// an older dist). Kinds: `select1` (a round trip, no commit: the floor), `audit` (one-record appends back to back),
// `dispatch` (commands through a bot). Runs of all stores are interleaved, so they see the same machine load.
// Per row it also records the load average, the CPU of the instances and of PostgreSQL (when the bench runs on the
// server's machine as root: BENCH_POSTGRES_PID, the postmaster's pid), the WAL flushes (pg_stat_wal) and, when
// pg_stat_statements is loaded, the statements' server time. BENCH_CPU_PROF=DIR profiles every instance
// (node --cpu-prof; summarise with profile-summary.mjs).
// Prints a Markdown table (medians of the runs) and writes results/postgres.json (--out NAME: results/NAME.json). Needs `npm run build`.
import { spawn } from "node:child_process";
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { cpus, loadavg } from "node:os";
import { resolve } from "node:path";
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
const kinds = (args.kinds ?? "select1,audit,dispatch").split(",");
const stores = (args.stores ?? "after").split(",").map((spec) => {
  const [name, path] = spec.split("=");
  return { name, path: path ? resolve(fileURLToPath(new URL(".", import.meta.url)), path) : undefined };
});
const worker = fileURLToPath(new URL("./runners/postgres-instance.mjs", import.meta.url));

function instance(url, kind, name, store, rate) {
  const child = spawn(
    process.execPath,
    [
      ...(process.env.BENCH_CPU_PROF ? ["--cpu-prof", "--cpu-prof-dir", process.env.BENCH_CPU_PROF] : []),
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
      "--pool",
      args.pool ?? "10",
      ...(store ? ["--store", store] : []),
      ...(rate ? ["--rate", String(rate)] : []),
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
/** CPU seconds of the PostgreSQL server: the postmaster's reaped children plus the live ones (Linux /proc). */
const postmaster = process.env.BENCH_POSTGRES_PID;
const ticks = 100;
function statTimes(pid) {
  const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1].split(" ");
  return {
    ppid: Number(fields[1]),
    own: Number(fields[11]) + Number(fields[12]),
    children: Number(fields[13]) + Number(fields[14]),
  };
}
function postgresCpuSeconds() {
  if (!postmaster) return undefined;
  let total = statTimes(postmaster).children;
  for (const pid of readdirSync("/proc").filter((p) => /^\d+$/.test(p))) {
    try {
      const t = statTimes(pid);
      if (String(t.ppid) === postmaster) total += t.own;
    } catch {}
  }
  return total / ticks;
}
const statements = await admin
  .query("SELECT 1 FROM pg_extension WHERE extname = 'pg_stat_statements'")
  .then((r) => r.rowCount > 0)
  .catch(() => false);
async function walStats() {
  const { rows } = await admin.query("SELECT wal_records, wal_sync, wal_sync_time, wal_write FROM pg_stat_wal");
  return rows[0];
}

/** One run of `count` instances of `kind` on `store`: throughput, latency and where the time went. */
async function oneRun(kind, count, store, run, db) {
  const url = await cluster.database(`bench_${kind}_${count}_${store.name}_${run}_${db}`);
  const rate = kind === "dispatch" && args.rate ? Number(args.rate) / count : 0;
  const all = Array.from({ length: count }, (_, i) => instance(url, kind, `i${i}`, store.path, rate));
  await Promise.all(all.map((p) => p.next()));
  if (statements) await admin.query("SELECT pg_stat_statements_reset()");
  const wal0 = await walStats();
  const pgCpu0 = postgresCpuSeconds();
  const load = loadavg()[0];
  for (const p of all) p.child.stdin.end("go\n");
  const reports = await Promise.all(all.map((p) => p.next()));
  // The instances closed their pools before reporting; give the postmaster a moment to reap those backends.
  await new Promise((r) => setTimeout(r, 300));
  const pgCpu1 = postgresCpuSeconds();
  const wal1 = await walStats();
  const total = reports.reduce((sum, r) => sum + r.count, 0);
  const failed = reports.reduce((sum, r) => sum + (r.failed ?? 0), 0);
  const secondsTaken = Math.max(...reports.map((r) => r.seconds));
  let top = [];
  if (statements) {
    const { rows } = await admin.query(
      `SELECT s.calls, s.total_exec_time, s.mean_exec_time, s.rows, left(regexp_replace(s.query, '\\s+', ' ', 'g'), 90) AS query
       FROM pg_stat_statements s JOIN pg_database d ON d.oid = s.dbid
       WHERE d.datname = $1 ORDER BY s.total_exec_time DESC LIMIT 4`,
      [new URL(url).pathname.slice(1)],
    );
    top = rows.map((r) => ({
      query: r.query,
      calls: Number(r.calls),
      rows: Number(r.rows),
      totalMs: Math.round(r.total_exec_time),
      meanMs: Number(r.mean_exec_time.toFixed(3)),
    }));
  }
  if (kind !== "select1") {
    const storage = await openPostgres({ url });
    const verified = await verifyChain(storage.auditLog.entries());
    await storage.close();
    const entries = kind === "audit" ? total : total * 2;
    // Failed commands leave their own entries (an error, or nothing when the claim's batch failed): the chain must
    // still verify, and hold at least the answered commands' entries.
    if (!verified.ok || (failed === 0 ? verified.checked !== entries : verified.checked < entries))
      throw new Error(`chain check failed: ${JSON.stringify(verified)} for ${entries} entries`);
  }
  const walSyncs = Number(wal1.wal_sync) - Number(wal0.wal_sync);
  return {
    perSecond: total / secondsTaken,
    p50Ms: median(reports.map((r) => r.p50Ms)),
    p99Ms: Math.max(...reports.map((r) => r.p99Ms)),
    load,
    count: total,
    failed,
    instanceCpuMsPerOp: reports.reduce((sum, r) => sum + r.cpuMs, 0) / total,
    postgresCpuMsPerOp: pgCpu0 === undefined ? undefined : ((pgCpu1 - pgCpu0) * 1000) / total,
    walSyncsPerOp: walSyncs / total,
    walSyncMsEach: walSyncs ? (Number(wal1.wal_sync_time) - Number(wal0.wal_sync_time)) / walSyncs : 0,
    top,
  };
}

const results = [];
try {
  let db = 0;
  for (const kind of kinds) {
    for (const count of counts) {
      const samples = new Map(stores.map((s) => [s.name, []]));
      for (let run = 0; run < runs; run++)
        for (const store of kind === "select1" ? stores.slice(0, 1) : stores)
          samples.get(store.name).push(await oneRun(kind, count, store, run, db++));
      for (const [store, list] of samples) {
        if (list.length === 0) continue;
        const m = (key, digits = 2) => Number(median(list.map((s) => s[key] ?? 0)).toFixed(digits));
        const row = {
          kind,
          store,
          instances: count,
          perSecond: Math.round(median(list.map((s) => s.perSecond))),
          p50Ms: m("p50Ms"),
          p99Ms: m("p99Ms"),
          load: list.map((s) => Number(s.load.toFixed(1))),
          failed: list.reduce((sum, s) => sum + s.failed, 0),
          instanceCpuMsPerOp: m("instanceCpuMsPerOp", 3),
          postgresCpuMsPerOp: m("postgresCpuMsPerOp", 3),
          walSyncsPerOp: m("walSyncsPerOp", 3),
          walSyncMsEach: m("walSyncMsEach", 3),
          samples: list,
        };
        results.push(row);
        process.stderr.write(
          `${kind} ${store} × ${count}: ${row.perSecond}/s${row.failed ? ` (${row.failed} failed)` : ""}, p50 ${row.p50Ms} ms, p99 ${row.p99Ms} ms, load ${row.load.join("/")}, ` +
            `cpu/op node ${row.instanceCpuMsPerOp} ms pg ${row.postgresCpuMsPerOp} ms, wal syncs/op ${row.walSyncsPerOp} (${row.walSyncMsEach} ms each)\n`,
        );
      }
    }
  }
} finally {
  await admin.end();
}
const out = fileURLToPath(new URL("./results/", import.meta.url));
mkdirSync(out, { recursive: true });
writeFileSync(
  `${out}${args.out ?? "postgres"}.json`,
  JSON.stringify(
    { machine: { cpus: cpus().length, node: process.version, ...settings.rows[0] }, runs, seconds, results },
    null,
    2,
  ),
);
const what = { select1: "SELECT 1", audit: "audit appends", dispatch: "commands dispatched" };
console.log(
  "| what | store | instances | per second | p50 ms | p99 ms | load 1 min | CPU ms/op node | CPU ms/op PostgreSQL | WAL flushes/op |\n|---|---|---|---|---|---|---|---|---|---|",
);
for (const r of results)
  console.log(
    `| ${what[r.kind]} | ${r.store} | ${r.instances} | ${r.perSecond}${r.failed ? ` (${r.failed} failed)` : ""} | ${r.p50Ms} | ${r.p99Ms} | ${r.load.join(", ")} | ${r.instanceCpuMsPerOp} | ${r.postgresCpuMsPerOp} | ${r.walSyncsPerOp} |`,
  );
