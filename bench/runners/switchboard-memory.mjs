// Switchboard with the in-memory audit log and store.
// node runners/switchboard-memory.mjs --n N --mode sequential|concurrent --messages M -> one JSON line on stdout
import { MemoryAuditLog, MemoryStore } from "@switchboard/core";
import { runSwitchboard } from "./switchboard.mjs";

await runSwitchboard("switchboard-memory", { auditLog: new MemoryAuditLog(), store: new MemoryStore() });
