// Measures SqliteAuditLog.append on a fresh file. Build first: `pnpm --filter @switchboard/store-sqlite build`.
//
//   node packages/store-sqlite/bench/append.mjs [--appends 40000] [--synchronous NORMAL|FULL] [--batches 2]
//     [--checkpoint-pages 10000]
//
// Each append is awaited before the next. `--batches` gives the batch sizes in turn: `2` (every append has two
// records) or `3,1` (as the runtime writes a command: received+decision+started, then the outcome).
import { randomUUID } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { openSqlite } from "../dist/index.js";

const { values } = parseArgs({
  options: {
    appends: { type: "string", default: "40000" },
    synchronous: { type: "string", default: "NORMAL" },
    batches: { type: "string", default: "2" },
    "checkpoint-pages": { type: "string", default: "10000" },
  },
});
const appends = Number(values.appends);
const sizes = values.batches.split(",").map(Number);
const events = ["received", "decision", "started", "outcome"];

/** The `i`-th append: the next records of the current command's four. */
function batch(i, jobId, first) {
  const size = sizes[i % sizes.length];
  const common = { jobId, actor: `user${i % 13}`, network: "shell", room: "ops", command: i % 7 ? "deploy" : "status" };
  return Array.from({ length: size }, (_, k) => {
    const event = events[(first + k) % 4];
    if (event === "received") return { ...common, event, args: { env: "staging", ref: `v1.${i}` } };
    if (event === "decision") return { ...common, event, decision: "allowed", rule: "role:deployer" };
    if (event === "outcome") return { ...common, event, outcome: "succeeded", durationMs: i % 100 };
    return { ...common, event };
  });
}

const dir = mkdtempSync(join(tmpdir(), "switchboard-bench-"));
const { auditLog, close } = openSqlite(join(dir, "audit.db"), {
  synchronous: values.synchronous,
  walAutocheckpointPages: Number(values["checkpoint-pages"]),
});
let jobId = randomUUID();
let entries = 0;
const latencies = new Float64Array(appends);
const start = performance.now();
for (let i = 0; i < appends; i++) {
  if (entries % 4 === 0) jobId = randomUUID();
  const records = batch(i, jobId, entries % 4);
  entries += records.length;
  const before = performance.now();
  await auditLog.append(records);
  latencies[i] = performance.now() - before;
}
const seconds = (performance.now() - start) / 1000;
latencies.sort();
const ms = (q) => latencies[Math.min(appends - 1, Math.floor(q * appends))].toFixed(3);
close();
rmSync(dir, { recursive: true, force: true });
console.log(
  `synchronous ${values.synchronous}, batches of ${values.batches}, checkpoint every ${values["checkpoint-pages"]} pages: ` +
    `${appends} appends (${entries} entries) in ` +
    `${seconds.toFixed(2)} s = ${Math.round(appends / seconds)} appends/s, ${((seconds / appends) * 1e6).toFixed(0)} µs ` +
    `per append, ${Math.round(entries / seconds)} entries/s; latency p50 ${ms(0.5)} ms, p99 ${ms(0.99)} ms, ` +
    `max ${latencies[appends - 1].toFixed(1)} ms`,
);
