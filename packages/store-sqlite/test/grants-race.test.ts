// Concurrent role changes of one person on SQLite: two bots on two connections to one file (as two processes
// sharing it), and core's MemoryStore shared by two bots — the race of @switchboard/testing's runRoleGrantRace. Each
// grant is its own row (grant = INSERT … ON CONFLICT DO NOTHING, revoke = DELETE), so a grant cannot write a revoked
// role back.
import { MemoryAuditLog, MemoryStore } from "@switchboard/core";
import { runRoleGrantRace } from "@switchboard/testing";
import { openSqlite } from "../src/index.js";
import { onCleanup, tempDbPath } from "./helpers.js";

runRoleGrantRace("MemoryStore", () => {
  const shared = { store: new MemoryStore(), auditLog: new MemoryAuditLog() };
  return [shared, shared];
});

runRoleGrantRace("SQLite, two connections to one file", () => {
  const path = tempDbPath();
  const open = () => {
    const storage = openSqlite(path);
    onCleanup(() => storage.close());
    return storage;
  };
  return [open(), open()];
});
