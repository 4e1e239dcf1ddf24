import type { AuditEntry, AuditRecord } from "@switchboard/core";
import { GENESIS_HASH, hashEntry, verifyChain } from "@switchboard/core/audit";
import { describe, expect, it } from "vitest";
import { freshDatabase, open, usePostgres } from "./helpers.js";

usePostgres();

async function collect(entries: AsyncIterable<AuditEntry>): Promise<AuditEntry[]> {
  const all: AuditEntry[] = [];
  for await (const entry of entries) all.push(entry);
  return all;
}

/** One command's records, as the runtime writes them (admitted, then the outcome). */
function commandRecords(i: number): [AuditRecord[], AuditRecord[]] {
  const common = { jobId: `job-${i}`, actor: `user${i % 3}`, network: "shell", command: i % 2 ? "status" : "deploy" };
  return [
    [{ ...common, event: "admitted", decision: "allowed", rule: "role:ops", args: { env: "prod", n: i } }],
    [{ ...common, event: "outcome", outcome: i % 5 === 0 ? "failed" : "succeeded", durationMs: i }],
  ];
}

describe("PostgresAuditLog", () => {
  it("chains appended records after the last stored entry, hashed in SQL the way core verifies", async () => {
    const { auditLog } = await open();
    const first = await auditLog.append([{ event: "admitted", actor: "alice" }]);
    const next = await auditLog.append([
      { event: "outcome", actor: "alice", decision: "allowed" },
      { event: "approval", jobId: "j1" },
    ]);
    expect(first[0]).toMatchObject({ seq: 1, prevHash: GENESIS_HASH, event: "admitted", actor: "alice" });
    expect(next.map((e) => e.seq)).toEqual([2, 3]);
    expect(next[0]!.prevHash).toBe(first[0]!.hash);
    expect(next[1]!.prevHash).toBe(next[0]!.hash);
    expect(new Date(next[0]!.time).toISOString()).toBe(next[0]!.time);
    for (const entry of [...first, ...next]) {
      const { hash, ...rest } = entry;
      expect(hashEntry(rest)).toBe(hash);
    }
    expect(await verifyChain(auditLog.entries())).toEqual({ ok: true, checked: 3, lastHash: next[1]!.hash });
  });

  it("writes nothing for an empty batch", async () => {
    const { auditLog } = await open();
    expect(await auditLog.append([])).toEqual([]);
    expect(await collect(auditLog.entries())).toEqual([]);
  });

  it("stores entries exactly: entries() returns what append() returned, awkward text included", async () => {
    const { auditLog } = await open();
    const records: AuditRecord[] = [
      {
        event: "admitted",
        jobId: "j-1",
        actor: "alice",
        network: "slack",
        room: "C0123",
        command: "deploy",
        args: { zeta: 1, alpha: { b: [1, { y: 2, x: 1 }], a: null }, quote: 'say "hi"\\', nul: "a\u0000b" },
        decision: "allowed",
        rule: "role:ops",
        detail: { text: "déploiement 🚀 \u2028 \t", prevHash: "not the real one", seq: 99 },
      },
      { event: "outcome", jobId: "j-1", outcome: "succeeded", durationMs: 12.5, errorId: "e1" },
    ];
    const written = await auditLog.append(records);
    expect(await collect(auditLog.entries())).toEqual(written);
    expect((await verifyChain(auditLog.entries())).ok).toBe(true);
  });

  it("does not mistake a lone surrogate or NUL (stored as U+FFFD in a column) for tampering", async () => {
    const { auditLog } = await open();
    await auditLog.append([{ event: "admitted", actor: "bad\uD800actor", command: "x\u0000y" }]);
    expect(await verifyChain(auditLog.entries())).toMatchObject({ ok: true, checked: 1 });
    expect((await auditLog.query({ actor: "bad\uD800actor" })).map((e) => e.seq)).toEqual([1]);
  });

  it("queries by the indexed fields, newest first, 20 by default", async () => {
    const { auditLog } = await open();
    for (let i = 0; i < 30; i++) for (const batch of commandRecords(i)) await auditLog.append(batch);
    const newest = await auditLog.query({});
    expect(newest).toHaveLength(20);
    expect(newest[0]!.seq).toBe(60);
    expect((await auditLog.query({ jobId: "job-7" })).map((e) => e.event)).toEqual(["outcome", "admitted"]);
    const failed = await auditLog.query({ outcome: "failed", limit: 100 });
    expect(failed.map((e) => e.jobId)).toEqual(["job-25", "job-20", "job-15", "job-10", "job-5", "job-0"]);
    expect((await auditLog.query({ actor: "user1", command: "status", event: "admitted", limit: 3 })).length).toBe(3);
    expect(await auditLog.query({ actor: "nobody" })).toEqual([]);
    expect(await auditLog.query({ limit: 0 })).toEqual([]);
  });

  it("keeps one gapless chain over 2,500 entries, read back a page at a time", async () => {
    const { auditLog } = await open();
    for (let i = 0; i < 1250; i += 25) {
      await Promise.all(
        Array.from({ length: 25 }, async (_, k) => {
          for (const batch of commandRecords(i + k)) await auditLog.append(batch);
        }),
      );
    }
    const result = await verifyChain(auditLog.entries());
    expect(result).toMatchObject({ ok: true, checked: 2500 });
  });
});

describe("one chain for several instances", () => {
  it("keeps one chain when four instances append at once (each command's records stay in order)", async () => {
    const url = await freshDatabase();
    const instances = await Promise.all([open(url), open(url), open(url), open(url)]);
    await Promise.all(
      instances.map(async ({ auditLog }, w) => {
        for (let i = 0; i < 50; i++) {
          const [admitted, outcome] = commandRecords(w * 1000 + i);
          await Promise.all([auditLog.append(admitted), auditLog.append([{ event: "plugin", detail: { w, i } }])]);
          await auditLog.append(outcome);
        }
      }),
    );
    const entries = await collect(instances[0]!.auditLog.entries());
    expect(await verifyChain(entries)).toMatchObject({ ok: true, checked: 600 });
    expect(entries.map((e) => e.seq)).toEqual(Array.from({ length: 600 }, (_, i) => i + 1));
    for (let w = 0; w < 4; w++) {
      const mine = entries.filter((e) => e.jobId?.startsWith(`job-${w * 1000}`) || false);
      expect(mine.length).toBeGreaterThan(0);
    }
    const firstAdmitted = entries.findIndex((e) => e.jobId === "job-1000" && e.event === "admitted");
    const firstOutcome = entries.findIndex((e) => e.jobId === "job-1000" && e.event === "outcome");
    expect(firstAdmitted).toBeLessThan(firstOutcome);
  });

  it("a batch is atomic: a failing batch stores none of its records and the chain goes on", async () => {
    const { auditLog, pool } = await open();
    await auditLog.append([{ event: "plugin" }]);
    // A statement timeout that cannot be met makes the append fail inside the database.
    const client = await pool.connect();
    await client.query("SET lock_timeout = '50ms'");
    const blocker = await pool.connect();
    await blocker.query("BEGIN");
    await blocker.query("SELECT * FROM audit_head FOR UPDATE");
    await expect(
      client.query("SELECT * FROM audit_append($1, $2, $3, $4, $5, $6, $7)", [
        ["{"],
        [","],
        ["plugin"],
        [null],
        [null],
        [null],
        [null],
      ]),
    ).rejects.toThrow(/lock timeout/);
    await blocker.query("ROLLBACK");
    blocker.release();
    client.release();
    await auditLog.append([{ event: "plugin", detail: { after: true } }]);
    expect(await verifyChain(auditLog.entries())).toMatchObject({ ok: true, checked: 2 });
  });
});
