import { checkpointSigner, generateCheckpointKey, verifyCheckpoint } from "@switchboard/core/audit";
import { describe, expect, it } from "vitest";
import { open, usePostgres } from "./helpers.js";

usePostgres();

describe("audit_checkpoints: the signed checkpoints of every instance", () => {
  it("keeps what two instances sign, in order, with who wrote it; a second copy of one signature is ignored", async () => {
    const a = await open();
    const b = await open(a.connect.url);
    await a.auditLog.append([{ event: "plugin" }, { event: "plugin" }]);
    const [head] = await a.auditLog.query({ limit: 1 });
    const keyA = checkpointSigner(generateCheckpointKey().privateKeyPem);
    const keyB = checkpointSigner(generateCheckpointKey().privateKeyPem);
    const first = keyA.sign({ seq: head!.seq, hash: head!.hash });
    const second = keyB.sign({ seq: head!.seq, hash: head!.hash });
    await a.checkpoints.write(first);
    await b.checkpoints.write(second);
    await a.checkpoints.write(first);

    const stored = await b.checkpoints.read();
    expect(stored.rows.map(({ id: _id, ...row }) => row)).toEqual([
      { ...first, instance: a.instance },
      { ...second, instance: b.instance },
    ]);
    // What comes back verifies with the signer's public key: the fields are stored as signed.
    expect(verifyCheckpoint(stored.rows[0]!, keyA.publicKey)).toBe(true);
    expect(verifyCheckpoint(stored.rows[1]!, keyB.publicKey)).toBe(true);
    // The table was made by this database's migrations, before anything was signed into it.
    expect(Date.parse(stored.since!)).toBeLessThanOrEqual(Date.parse(first.time));
  });

  it("refuses UPDATE, DELETE and TRUNCATE through an ordinary connection", async () => {
    const storage = await open();
    await storage.auditLog.append([{ event: "plugin" }]);
    const [head] = await storage.auditLog.query({ limit: 1 });
    await storage.checkpoints.write(
      checkpointSigner(generateCheckpointKey().privateKeyPem).sign({ seq: head!.seq, hash: head!.hash }),
    );
    await expect(storage.pool.query("UPDATE audit_checkpoints SET seq = 9")).rejects.toThrow(/append-only/);
    await expect(storage.pool.query("DELETE FROM audit_checkpoints")).rejects.toThrow(/append-only/);
    await expect(storage.pool.query("TRUNCATE audit_checkpoints")).rejects.toThrow(/append-only/);
    expect((await storage.checkpoints.read()).rows).toHaveLength(1);
  });
});
