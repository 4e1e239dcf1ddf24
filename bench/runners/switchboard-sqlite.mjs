// Switchboard with the SQLite audit log and store (WAL, synchronous=NORMAL: the app's default), in a temp folder.
// node runners/switchboard-sqlite.mjs --n N --mode sequential|concurrent --messages M -> one JSON line on stdout
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openSqlite } from "@switchboard/store-sqlite";
import { runSwitchboard } from "./switchboard.mjs";

const dir = mkdtempSync(join(tmpdir(), "switchboard-bench-"));
const storage = openSqlite(join(dir, "switchboard.db"), {
  synchronous: process.env.BENCH_SQLITE_SYNCHRONOUS ?? "NORMAL",
});
await runSwitchboard("switchboard-sqlite", {
  auditLog: storage.auditLog,
  store: storage.store,
  close: () => {
    storage.close();
    rmSync(dir, { recursive: true, force: true });
  },
});
