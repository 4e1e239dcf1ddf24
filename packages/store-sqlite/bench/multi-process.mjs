// Several processes append to one audit log file at once; then the chain is verified. Build first:
// `pnpm --filter @switchboard/core build && pnpm --filter @switchboard/store-sqlite build`.
//
//   node packages/store-sqlite/bench/multi-process.mjs [--processes 4] [--appends 2000]
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { verifyChain } from "@switchboard/core/audit";
import { openSqlite } from "../dist/index.js";

const { values } = parseArgs({
  options: {
    processes: { type: "string", default: "4" },
    appends: { type: "string", default: "2000" },
    child: { type: "string" },
    db: { type: "string" },
  },
});
const appends = Number(values.appends);

if (values.child !== undefined) {
  const { auditLog, close } = openSqlite(values.db);
  for (let i = 0; i < appends; i++) {
    const common = { jobId: `p${values.child}-${i}`, actor: `process-${values.child}`, command: "stress" };
    await auditLog.append([
      { ...common, event: "received" },
      { ...common, event: "outcome", outcome: "succeeded" },
    ]);
  }
  close();
} else {
  const dir = mkdtempSync(join(tmpdir(), "switchboard-multi-"));
  const db = join(dir, "audit.db");
  openSqlite(db).close();
  const processes = Number(values.processes);
  const start = performance.now();
  const exits = Array.from({ length: processes }, (_, p) => {
    const args = [fileURLToPath(import.meta.url), "--child", String(p), "--db", db, "--appends", String(appends)];
    const child = spawn(process.execPath, args, { stdio: "inherit" });
    return new Promise((resolve) => child.on("exit", resolve));
  });
  const codes = await Promise.all(exits);
  const seconds = (performance.now() - start) / 1000;
  const { auditLog, close } = openSqlite(db);
  const result = await verifyChain(auditLog.entries());
  // How often consecutive entries come from different processes: > 0 shows the writers really interleaved.
  let switches = 0;
  let previous;
  for await (const entry of auditLog.entries()) {
    if (previous !== undefined && entry.actor !== previous) switches++;
    previous = entry.actor;
  }
  const perProcess = [];
  for (let p = 0; p < processes; p++) {
    perProcess.push((await auditLog.query({ actor: `process-${p}`, limit: Number.POSITIVE_INFINITY })).length);
  }
  close();
  rmSync(dir, { recursive: true, force: true });
  console.log(
    `${processes} processes x ${appends} appends in ${seconds.toFixed(2)} s; exit codes ${codes.join(",")}; ` +
      `entries per process ${perProcess.join(",")}; writer switches ${switches}; chain ${JSON.stringify(result)}`,
  );
  const expected = processes * appends * 2;
  if (codes.some((c) => c !== 0) || !result.ok || result.checked !== expected) process.exit(1);
}
