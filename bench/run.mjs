// Orchestrator: runs every runner in runners/ as a fresh child process for each N and mode,
// RUNS times, and writes medians to results/latest.json and results/latest.md.
//   node bench/run.mjs [--quick] [--runs R] [--messages M] [--n 10,100,1000] [--systems a,b] [--workloads hit,miss]
//                      [--modes sequential,concurrent] [--timeout-s 600]
// BENCH_RUNS sets the default run count (5).
import { execFile } from "node:child_process";
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import os from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs, promisify } from "node:util";
import { median, round } from "./harness.mjs";

const run = promisify(execFile);
const here = dirname(fileURLToPath(import.meta.url));
const SYSTEMS = ["hubot", "switchboard-memory", "switchboard-sqlite"];
const WORKLOADS = ["hit", "miss"];
const METRICS = ["throughput", "cpuUsPerMsg", "p50Ms", "p99Ms", "startupMs", "peakRssMb"];

const { values: args } = parseArgs({
  options: {
    quick: { type: "boolean", default: false },
    runs: { type: "string" },
    messages: { type: "string" },
    n: { type: "string", default: "10,100,1000" },
    systems: { type: "string", default: SYSTEMS.join(",") },
    modes: { type: "string", default: "sequential,concurrent" },
    workloads: { type: "string", default: WORKLOADS.join(",") },
    "timeout-s": { type: "string", default: "600" },
  },
});
const runs = Number(args.runs ?? (args.quick ? 1 : (process.env.BENCH_RUNS ?? 5)));
const messages = Number(args.messages ?? (args.quick ? 2000 : 20000));
const warmup = args.quick ? 200 : 500;
const ns = args.n.split(",").map(Number);
const timeoutMs = Number(args["timeout-s"]) * 1000;
const MODES = args.modes.split(",");
const workloads = args.workloads.split(",");
for (const w of workloads) if (!WORKLOADS.includes(w)) throw new Error(`--workloads: unknown workload ${w}`);

const systems = [];
const skipped = [];
for (const name of args.systems.split(",")) {
  if (existsSync(join(here, "runners", `${name}.mjs`))) systems.push(name);
  else skipped.push(name);
}
for (const name of skipped) console.error(`note: runners/${name}.mjs does not exist yet, skipping ${name}`);

const machine = {
  os: `${os.type()} ${os.release()} ${os.arch()}`,
  cpu: os.cpus()[0]?.model ?? "unknown",
  cores: os.availableParallelism(),
  memoryGb: round(os.totalmem() / 2 ** 30, 1),
  node: process.version,
};

async function runOnce(system, n, mode, workload) {
  const argv = [join(here, "runners", `${system}.mjs`), "--n", `${n}`, "--mode", mode, "--workload", workload];
  argv.push("--messages", `${messages}`, "--warmup", `${warmup}`);
  const { stdout } = await run(process.execPath, argv, { cwd: here, timeout: timeoutMs, maxBuffer: 16 << 20 });
  const line = stdout
    .trim()
    .split("\n")
    .reverse()
    .find((l) => l.startsWith('{"system"'));
  if (!line) throw new Error(`no result line in output:\n${stdout}`);
  return JSON.parse(line);
}

// samples["system|n|mode|workload"] = [result, ...]; runs are interleaved so drift hits every system alike.
const samples = new Map();
const errors = [];
for (let r = 1; r <= runs; r++) {
  for (const n of ns) {
    for (const workload of workloads) {
      for (const system of systems) {
        for (const mode of MODES) {
          const key = `${system}|${n}|${mode}|${workload}`;
          try {
            const res = await runOnce(system, n, mode, workload);
            if (res.messages !== messages) throw new Error(`expected ${messages} messages, got ${res.messages}`);
            samples.set(key, [...(samples.get(key) ?? []), res]);
            console.error(`run ${r}/${runs} ${key}: ${res.throughput} msg/s, p50 ${res.p50Ms} ms, p99 ${res.p99Ms} ms`);
          } catch (err) {
            errors.push({ key, run: r, error: String(err.stderr || err.message || err).slice(0, 2000) });
            console.error(`run ${r}/${runs} ${key}: FAILED ${err.message}`);
          }
        }
      }
    }
  }
}

const rows = [];
for (const [key, list] of samples) {
  const [system, n, mode, workload] = key.split("|");
  const row = { system, version: list[0].version, n: Number(n), mode, workload, runs: list.length };
  for (const m of METRICS) row[m] = median(list.map((x) => x[m]));
  rows.push(row);
}
const find = (system, n, mode, workload) =>
  rows.find((x) => x.system === system && x.n === n && x.mode === mode && x.workload === workload);
for (const row of rows) {
  const hubot = find("hubot", row.n, row.mode, row.workload);
  row.vsHubot = hubot ? round(row.throughput / hubot.throughput, 2) : null;
  row.vsHubotCpu = hubot?.cpuUsPerMsg && row.cpuUsPerMsg ? round(hubot.cpuUsPerMsg / row.cpuUsPerMsg, 2) : null;
  const lo = find(row.system, Math.min(...ns), row.mode, row.workload);
  row.vsSmallestN = lo ? round(row.throughput / lo.throughput, 3) : null;
  // For a miss row: how many hits cost as much as one miss (hit throughput ÷ miss throughput).
  const hit = row.workload === "miss" ? find(row.system, row.n, row.mode, "hit") : undefined;
  row.missCostInHits = hit ? round(hit.throughput / row.throughput, 2) : null;
}
rows.sort(
  (a, b) =>
    a.n - b.n ||
    WORKLOADS.indexOf(a.workload) - WORKLOADS.indexOf(b.workload) ||
    SYSTEMS.indexOf(a.system) - SYSTEMS.indexOf(b.system) ||
    a.mode.localeCompare(b.mode),
);

const fmt = (x, d = 1) => (x == null ? "–" : Number(x).toFixed(d));
const md = [
  `Machine: ${machine.os}; ${machine.cpu}, ${machine.cores} cores, ${machine.memoryGb} GB; Node ${machine.node}`,
  `Workload: ${messages} messages per run (after ${warmup} warm-up), random command of N (hit) or a typo of one (miss), in-flight 100 for concurrent; median of ${runs} run(s), fresh process each.`,
  "",
  `| System | N | Workload | Mode | Throughput (msg/s) | CPU µs/msg | p50 (ms) | p99 (ms) | Start-up (ms) | Peak RSS (MB) | × Hubot | × Hubot (CPU) | ÷ N=${Math.min(...ns)} | miss ÷ hit cost |`,
  "| --- | ---: | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
  ...rows
    .map((x) =>
      [
        `${x.system}${x.version ? ` ${x.version}` : ""}`,
        x.n,
        x.workload,
        x.mode,
        fmt(x.throughput, 0),
        fmt(x.cpuUsPerMsg, 1),
        fmt(x.p50Ms, 3),
        fmt(x.p99Ms, 3),
        fmt(x.startupMs),
        fmt(x.peakRssMb),
        fmt(x.vsHubot, 2),
        fmt(x.vsHubotCpu, 2),
        fmt(x.vsSmallestN, 2),
        fmt(x.missCostInHits, 2),
      ].join(" | "),
    )
    .map((l) => `| ${l} |`),
];
if (skipped.length) md.push("", `Skipped (runner not present): ${skipped.join(", ")}`);
if (errors.length) md.push("", `Failed runs: ${errors.map((e) => `${e.key} #${e.run}`).join(", ")}`);
const table = `${md.join("\n")}\n`;

mkdirSync(join(here, "results"), { recursive: true });
const out = {
  date: new Date().toISOString(),
  machine,
  runs,
  messages,
  warmup,
  inFlight: 100,
  workloads,
  skipped,
  errors,
  rows,
  samples: Object.fromEntries(samples),
};
writeFileSync(join(here, "results", "latest.json"), `${JSON.stringify(out, null, 2)}\n`);
writeFileSync(join(here, "results", "latest.md"), table);
process.stdout.write(table);
if (errors.length) process.exitCode = 1;
