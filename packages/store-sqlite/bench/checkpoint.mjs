// What signed checkpoints cost: appends to SqliteAuditLog with and without core's CheckpointingAuditLog around it
// (a checkpoint every `--every` entries, appended to a file as the app does, fsync'ed with --fsync), in alternating
// rounds on fresh files, and the cost of one checkpoint (Ed25519 sign + line written) on its own.
// Build first: `pnpm --filter @switchboard/core build && pnpm --filter @switchboard/store-sqlite build`.
//
//   node packages/store-sqlite/bench/checkpoint.mjs [--appends 20000] [--rounds 3] [--every 100] [--fsync]
import { closeSync, fsyncSync, mkdtempSync, openSync, rmSync, writeSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import {
  CheckpointingAuditLog,
  checkpointSigner,
  formatCheckpointLine,
  generateCheckpointKey,
} from "@switchboard/core/audit";
import { openSqlite } from "../dist/index.js";

const { values } = parseArgs({
  options: {
    appends: { type: "string", default: "20000" },
    rounds: { type: "string", default: "3" },
    every: { type: "string", default: "100" },
    fsync: { type: "boolean", default: false },
  },
});
const appends = Number(values.appends);
const every = Number(values.every);
const signer = checkpointSigner(generateCheckpointKey().privateKeyPem);
const dir = mkdtempSync(join(tmpdir(), "switchboard-bench-checkpoint-"));

function writer(path) {
  return (checkpoint) => {
    const fd = openSync(path, "a", 0o600);
    try {
      writeSync(fd, formatCheckpointLine(checkpoint));
      if (values.fsync) fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  };
}

/** Mean µs per append (two records each: what a command writes) on a fresh file. */
async function run(name, checkpointed) {
  const storage = openSqlite(join(dir, `${name}.db`));
  let checkpoints = 0;
  const write = writer(join(dir, `${name}.jsonl`));
  const log = checkpointed
    ? new CheckpointingAuditLog(storage.auditLog, {
        signer,
        write: (c) => {
          checkpoints++;
          write(c);
        },
        every,
        intervalMs: 0,
      })
    : storage.auditLog;
  const started = performance.now();
  for (let i = 0; i < appends; i++) {
    const common = { jobId: `j${i}`, actor: `user${i % 13}`, network: "shell", room: "ops", command: "deploy" };
    await log.append([
      { ...common, event: "admitted", decision: "allowed", args: { env: "staging", ref: `v1.${i}` } },
      { ...common, event: "outcome", outcome: "succeeded", durationMs: i % 100 },
    ]);
  }
  const micros = ((performance.now() - started) * 1000) / appends;
  storage.close();
  return { micros, checkpoints };
}

const plain = [];
const anchored = [];
let made = 0;
for (let round = 0; round < Number(values.rounds); round++) {
  plain.push((await run(`plain-${round}`, false)).micros);
  const result = await run(`anchored-${round}`, true);
  anchored.push(result.micros);
  made = result.checkpoints;
}
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

// One checkpoint on its own: sign + write the line.
const write = writer(join(dir, "single.jsonl"));
const n = 2000;
const head = { seq: 1, hash: "a".repeat(64) };
let t = performance.now();
for (let i = 0; i < n; i++) signer.sign({ ...head, seq: i + 1 });
const signMicros = ((performance.now() - t) * 1000) / n;
t = performance.now();
for (let i = 0; i < n; i++) write(signer.sign({ ...head, seq: i + 1 }));
const checkpointMicros = ((performance.now() - t) * 1000) / n;
rmSync(dir, { recursive: true, force: true });

const entries = 2;
console.log(
  `appends: ${appends} × ${entries} entries, ${values.rounds} rounds, checkpoint every ${every} entries${values.fsync ? ", fsync" : ""}`,
);
console.log(
  `plain append:        median ${median(plain).toFixed(1)} µs (rounds ${plain.map((x) => x.toFixed(1)).join(", ")})`,
);
console.log(
  `checkpointed append: median ${median(anchored).toFixed(1)} µs (rounds ${anchored.map((x) => x.toFixed(1)).join(", ")}), ${made} checkpoints per round`,
);
console.log(`difference per entry: ${((median(anchored) - median(plain)) / entries).toFixed(2)} µs`);
console.log(
  `one checkpoint: sign ${signMicros.toFixed(1)} µs; sign + write line ${checkpointMicros.toFixed(1)} µs → ${(checkpointMicros / every).toFixed(2)} µs per entry at every=${every}`,
);
