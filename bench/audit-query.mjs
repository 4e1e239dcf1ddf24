// `audit --user/--command/--outcome/--job` on a large SQLite audit log: builds a database of --entries entries once
// (cached at --db; delete it to rebuild), then times SqliteAuditLog.query, the call the `audit` builtin makes.
//   node bench/audit-query.mjs [--entries 1000000] [--db /tmp/switchboard-audit-1m.db] [--runs 5] [--copy-to file]
//                              [--store path/to/another/build/of/store-sqlite/dist/index.js]
// The log holds what dispatch writes: an `admitted` and an `outcome` entry per job, 200 users (user0 sends a
// third of the commands), 1000 commands, about 1% of jobs denied or failed. `rare` appears once, in the first entry
// (the worst case for a scan from the newest end); `nobody` never appears. Each query: one warm-up, then the median
// of --runs. The schema version is printed: run it on a database made by an older build to compare (`--copy-to`
// copies the database first so the cached one keeps its schema).
import { copyFileSync, existsSync, rmSync } from "node:fs";
import os from "node:os";
import { performance } from "node:perf_hooks";
import { parseArgs } from "node:util";
import { median, mulberry32, round } from "./harness.mjs";

const { values: args } = parseArgs({
  options: {
    entries: { type: "string", default: "1000000" },
    db: { type: "string", default: "/tmp/switchboard-audit-1m.db" },
    runs: { type: "string", default: "5" },
    "copy-to": { type: "string" },
    // Another build of the package (a path to its dist/index.js), e.g. main's, to build or read with it.
    store: { type: "string", default: "@switchboard/store-sqlite" },
  },
});
const { openSqlite } = await import(args.store);
const entries = Number(args.entries);
const runs = Number(args.runs);

async function build(path) {
  const t0 = performance.now();
  const storage = openSqlite(path);
  const rand = mulberry32(7);
  const jobs = entries / 2;
  const BATCH = 2000;
  // One transaction per batch of BATCH entries.
  const append = (records) => storage.auditLog.append(records);
  let pending = [];
  for (let j = 0; j < jobs; j++) {
    const actor = j === 0 ? "rare" : rand() < 0.33 ? "user0" : `user${1 + Math.floor(rand() * 199)}`;
    const command = `cmd${Math.floor(rand() * 1000)}`;
    const jobId = `J${j.toString(36)}`;
    const r = rand();
    const outcome = r < 0.005 ? "failed" : r < 0.01 ? "denied" : r < 0.0101 ? "timed-out" : "succeeded";
    pending.push(
      {
        event: "admitted",
        jobId,
        actor,
        command,
        network: "irc",
        room: "#ops",
        args: { value: `a${j}` },
        decision: "allowed",
        rule: `command ${command}`,
        detail: {
          reason: `you hold bench:run via role bencher (bench:*) for command ${command}`,
          sender: actor,
          text: `${command} a${j}`,
          verified: true,
        },
      },
      { event: "outcome", jobId, actor, command, outcome, durationMs: 1 },
    );
    if (pending.length >= BATCH) {
      await append(pending);
      pending = [];
    }
  }
  if (pending.length) await append(pending);
  storage.close();
  console.error(`built ${entries} entries in ${round((performance.now() - t0) / 1000, 1)} s`);
}

if (!existsSync(args.db)) await build(args.db);
let path = args.db;
if (args["copy-to"]) {
  for (const suffix of ["", "-wal", "-shm"]) rmSync(`${args["copy-to"]}${suffix}`, { force: true });
  copyFileSync(args.db, args["copy-to"]);
  path = args["copy-to"];
}
const t0 = performance.now();
const storage = openSqlite(path);
const openMs = performance.now() - t0;
const version = storage.db.prepare("SELECT max(version) AS v FROM schema_version").get().v;
const indexes = storage.db
  .prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name LIKE 'audit%' AND sql IS NOT NULL")
  .all()
  .map((r) => r.name);
const queries = [
  ["audit --user user0 (a third of all jobs)", { actor: "user0" }],
  ["audit --user user57 (0.3% of jobs)", { actor: "user57" }],
  ["audit --user rare (one entry, the first)", { actor: "rare" }],
  ["audit --user nobody (no entry)", { actor: "nobody" }],
  ["audit --command cmd7", { command: "cmd7" }],
  ["audit --outcome timed-out (0.01% of jobs)", { outcome: "timed-out" }],
  ["audit --user user57 --outcome failed", { actor: "user57", outcome: "failed" }],
  ["audit --job J2s (one job, old)", { jobId: "J2s" }],
  ["audit (no filter)", {}],
];
const rows = [];
for (const [name, query] of queries) {
  const times = [];
  const cpu = [];
  let found = 0;
  for (let r = 0; r <= runs; r++) {
    const c = process.cpuUsage();
    const t = performance.now();
    found = (await storage.auditLog.query({ ...query, limit: 20 })).length;
    if (r > 0) times.push(performance.now() - t);
    const used = process.cpuUsage(c);
    if (r > 0) cpu.push((used.user + used.system) / 1000);
  }
  rows.push(
    `| ${name} | ${found} | ${round(median(times), 2)} | ${round(Math.max(...times), 2)} | ${round(median(cpu), 1)} |`,
  );
}
storage.close();
console.log(
  `schema version ${version}, audit indexes: ${indexes.join(", ") || "none"}; open (with migration) ${round(openMs, 0)} ms`,
);
console.log(`${entries.toLocaleString("en")} entries, median of ${runs} (after one warm-up), limit 20:\n`);
console.log("| query | entries found | median ms | max ms | median CPU ms |\n| --- | ---: | ---: | ---: | ---: |");
console.log(rows.join("\n"));
