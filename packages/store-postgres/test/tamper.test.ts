import type { AuditRecord } from "@switchboard/core";
import { verifyChain } from "@switchboard/core/audit";
import { describe, expect, it } from "vitest";
import { open, usePostgres } from "./helpers.js";

usePostgres();

const records: AuditRecord[] = Array.from({ length: 6 }, (_, i) => ({
  event: i % 2 ? "outcome" : "admitted",
  jobId: `job-${i >> 1}`,
  actor: "alice",
  command: "deploy",
  ...(i % 2 ? { outcome: "succeeded" as const } : { args: { env: "prod" } }),
}));

/** A log with six entries, and a way to run SQL as the table owner with the append-only triggers off. */
async function written() {
  const storage = await open();
  await storage.auditLog.append(records);
  const asOwner = async (sql: string, params: unknown[] = []) => {
    await storage.pool.query("ALTER TABLE audit DISABLE TRIGGER audit_no_update");
    await storage.pool.query(sql, params);
    await storage.pool.query("ALTER TABLE audit ENABLE TRIGGER audit_no_update");
  };
  return { ...storage, asOwner };
}

describe("tamper evidence", () => {
  it("refuses UPDATE and DELETE through an ordinary connection", async () => {
    const { pool, auditLog } = await written();
    await expect(pool.query("UPDATE audit SET actor = 'mallory' WHERE seq = 2")).rejects.toThrow(/append-only/);
    await expect(pool.query("DELETE FROM audit WHERE seq = 6")).rejects.toThrow(/append-only/);
    expect(await verifyChain(auditLog.entries())).toMatchObject({ ok: true, checked: 6 });
  });

  it("detects an edited body and names the entry", async () => {
    const { auditLog, asOwner } = await written();
    await asOwner(`UPDATE audit SET body = replace(body, '"env":"prod"', '"env":"staging"') WHERE seq = 3`);
    expect(await verifyChain(auditLog.entries())).toMatchObject({ ok: false, firstBad: { seq: 3 } });
  });

  it("detects an indexed column that disagrees with the body", async () => {
    const { auditLog, asOwner } = await written();
    await asOwner("UPDATE audit SET actor = 'mallory' WHERE seq = 4");
    expect(await verifyChain(auditLog.entries())).toMatchObject({ ok: false, firstBad: { seq: 4 } });
    expect((await auditLog.query({ actor: "mallory" })).length).toBe(1);
  });

  it("detects a deleted entry in the middle, even when the later ones were renumbered", async () => {
    const { auditLog, asOwner } = await written();
    await asOwner("DELETE FROM audit WHERE seq = 2");
    expect(await verifyChain(auditLog.entries())).toMatchObject({ ok: false, firstBad: { seq: 3 } });
    await asOwner("UPDATE audit SET seq = seq - 1 WHERE seq > 2");
    expect(await verifyChain(auditLog.entries())).toMatchObject({ ok: false, firstBad: { seq: 2 } });
  });

  it("refuses to read a body that is not JSON, naming the entry", async () => {
    const { auditLog, asOwner } = await written();
    await asOwner("UPDATE audit SET body = 'garbage' WHERE seq = 5");
    await expect(verifyChain(auditLog.entries())).rejects.toThrow(/#5/);
  });

  it("keeps appending after an edit, and the edit stays detectable", async () => {
    const { auditLog, asOwner } = await written();
    await asOwner(`UPDATE audit SET body = replace(body, '"alice"', '"mallory"') WHERE seq = 1`);
    await auditLog.append([{ event: "plugin" }]);
    expect(await verifyChain(auditLog.entries())).toMatchObject({ ok: false, firstBad: { seq: 1 } });
  });
});
