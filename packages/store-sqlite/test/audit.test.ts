import { type AuditEntry, type AuditRecord, MemoryAuditLog } from "@switchboard/core";
import { type AuditQuery, GENESIS_HASH, verifyChain } from "@switchboard/core/audit";
import { describe, expect, it } from "vitest";
import { openSqlite } from "../src/index.js";
import { openDatabase } from "../src/open-database.js";
import { SqliteAuditLog } from "../src/sqlite-audit-log.js";
import { onCleanup, tempDbPath } from "./helpers.js";

function openLog(path = tempDbPath()): SqliteAuditLog {
  const db = openDatabase(path);
  onCleanup(() => db.close());
  return new SqliteAuditLog(db);
}

async function collect(entries: AsyncIterable<AuditEntry>): Promise<AuditEntry[]> {
  const all: AuditEntry[] = [];
  for await (const entry of entries) all.push(entry);
  return all;
}

/** One command's four records, as the runtime writes them (in two batches). */
function commandRecords(i: number): [AuditRecord[], AuditRecord[]] {
  const common = {
    jobId: `job-${i}`,
    actor: `user${i % 3}`,
    network: "shell",
    command: i % 2 === 0 ? "deploy" : "status",
  };
  const outcome = i % 5 === 0 ? "failed" : "succeeded";
  return [
    [
      { ...common, event: "admitted", args: { env: "prod", n: i } },
      { ...common, event: "outcome", decision: "allowed", rule: "role:ops" },
    ],
    [
      { ...common, event: "approval" },
      { ...common, event: "outcome", outcome, durationMs: i },
    ],
  ];
}

describe("SqliteAuditLog", () => {
  it("chains appended records after the last stored entry", async () => {
    const log = openLog();
    const first = await log.append([{ event: "admitted", actor: "alice" }]);
    const next = await log.append([
      { event: "outcome", actor: "alice", decision: "allowed" },
      { event: "approval", jobId: "j1" },
    ]);
    expect(first).toHaveLength(1);
    expect(first[0]).toMatchObject({ seq: 1, prevHash: GENESIS_HASH, event: "admitted", actor: "alice" });
    expect(next.map((e) => e.seq)).toEqual([2, 3]);
    expect(next[0]!.prevHash).toBe(first[0]!.hash);
    expect(next[1]!.prevHash).toBe(next[0]!.hash);
    expect(new Date(next[0]!.time).toISOString()).toBe(next[0]!.time);
    expect(await verifyChain(log.entries())).toEqual({ ok: true, checked: 3, lastHash: next[1]!.hash });
  });

  it("writes nothing for an empty batch", async () => {
    const log = openLog();
    expect(await log.append([])).toEqual([]);
    expect(await collect(log.entries())).toEqual([]);
  });

  it("stores entries exactly: entries() returns what append() returned", async () => {
    const log = openLog();
    const appended = await log.append([
      {
        event: "admitted",
        actor: "guest:shell:😀",
        args: { text: 'héllo \u0000 \n "quoted"', list: [1, 2.5, null, { z: 1, a: [true] }], big: 1e21 },
        detail: { dropped: undefined, kept: "yes" },
      },
      { event: "error", errorId: "e-1", detail: { message: "boom" } },
    ]);
    const stored = await collect(log.entries());
    expect(stored).toEqual(appended);
    expect(stored[0]!.detail).toEqual({ kept: "yes" });
    expect(Object.keys(stored[0]!.detail!)).toEqual(["kept"]);
    expect((await verifyChain(stored)).ok).toBe(true);
  });

  it("does not mistake a lone surrogate (stored as U+FFFD in a column) for tampering", async () => {
    const log = openLog();
    await log.append([{ event: "admitted", actor: "odd\ud800name", command: "x\udfff\u0000y", jobId: "🚀" }]);
    const [entry] = await collect(log.entries());
    expect(entry).toMatchObject({ actor: "odd\ud800name", command: "x\udfff\u0000y", jobId: "🚀" });
    expect((await verifyChain(log.entries())).ok).toBe(true);
    expect(await log.query({ actor: "odd\ud800name" })).toEqual([entry]);
    expect(await log.query({ command: "x\udfff\u0000y" })).toEqual([entry]);
    expect(await log.query({ jobId: "🚀" })).toEqual([entry]);
  });

  it("appends a batch atomically: a bad record stores none of its batch", async () => {
    const log = openLog();
    await log.append([{ event: "admitted" }]);
    const bad: AuditRecord[] = [{ event: "approval" }, { actor: "no event" } as unknown as AuditRecord];
    await expect(log.append(bad)).rejects.toThrow();
    await log.append([{ event: "outcome", outcome: "succeeded" }]);
    const stored = await collect(log.entries());
    expect(stored.map((e) => [e.seq, e.event])).toEqual([
      [1, "admitted"],
      [2, "outcome"],
    ]);
    expect((await verifyChain(stored)).ok).toBe(true);
  });

  describe("query", () => {
    async function filled(): Promise<{ sqlite: SqliteAuditLog; memory: MemoryAuditLog }> {
      const sqlite = openLog();
      const memory = new MemoryAuditLog();
      for (let i = 0; i < 30; i++) {
        for (const batch of commandRecords(i)) {
          await sqlite.append(batch);
          await memory.append(batch);
        }
      }
      return { sqlite, memory };
    }

    const queries: Array<[string, AuditQuery]> = [
      ["no filter (default limit 20)", {}],
      ["actor", { actor: "user1" }],
      ["command", { command: "status", limit: 100 }],
      ["outcome", { outcome: "failed" }],
      ["event", { event: "outcome", limit: 7 }],
      ["jobId", { jobId: "job-4" }],
      ["several filters", { actor: "user2", command: "deploy", event: "outcome", limit: 100 }],
      ["outcome and actor", { outcome: "failed", actor: "user0" }],
      ["no match", { actor: "nobody" }],
      ["limit 1", { command: "deploy", limit: 1 }],
      ["limit 0", { limit: 0 }],
      ["unbounded", { event: "admitted", limit: Number.POSITIVE_INFINITY }],
    ];

    it.each(queries)("matches MemoryAuditLog: %s", async (_name, query) => {
      const { sqlite, memory } = await filled();
      const expected = await memory.query(query);
      const actual = await sqlite.query(query);
      expect(actual.map((e) => e.seq)).toEqual(expected.map((e) => e.seq));
      for (const [i, entry] of actual.entries()) {
        const { time: _t, hash: _h, prevHash: _p, ...rest } = entry;
        const { time: _t2, hash: _h2, prevHash: _p2, ...expectedRest } = expected[i]!;
        expect(rest).toEqual(expectedRest);
      }
    });

    it("returns newest first, 20 by default", async () => {
      const { sqlite } = await filled();
      const newest = await sqlite.query({});
      expect(newest.map((e) => e.seq)).toEqual(Array.from({ length: 20 }, (_, i) => 120 - i));
      const jobs = await sqlite.query({ jobId: "job-7" });
      expect(jobs.map((e) => e.event)).toEqual(["outcome", "approval", "outcome", "admitted"]);
    });

    it("finds actors, commands and outcomes among many entries of others (audit_facets), and a job by its index", async () => {
      const log = openLog();
      for (let i = 0; i < 300; i++)
        await log.append([{ event: "admitted", actor: "crowd", command: "status", jobId: `j${i}` }]);
      await log.append([{ event: "outcome", actor: "rare", command: "deploy", outcome: "timed-out", jobId: "j-rare" }]);
      for (let i = 300; i < 600; i++)
        await log.append([{ event: "admitted", actor: "crowd", command: "status", jobId: `j${i}` }]);
      for (const query of [
        { actor: "rare" },
        { command: "deploy" },
        { outcome: "timed-out" as const },
        { jobId: "j-rare" },
      ])
        expect((await log.query(query)).map((e) => e.seq)).toEqual([301]);
      expect(await log.query({ actor: "nobody" })).toEqual([]);
    });
  });

  it("iterates entries in order and keeps one valid chain over 1,000 entries across reopening", async () => {
    const path = tempDbPath();
    let storage = openSqlite(path);
    for (let i = 0; i < 125; i++) for (const batch of commandRecords(i)) await storage.auditLog.append(batch);
    storage.close();

    storage = openSqlite(path);
    onCleanup(storage.close);
    for (let i = 125; i < 250; i++) for (const batch of commandRecords(i)) await storage.auditLog.append(batch);

    const entries = await collect(storage.auditLog.entries());
    expect(entries.map((e) => e.seq)).toEqual(Array.from({ length: 1000 }, (_, i) => i + 1));
    const result = await verifyChain(storage.auditLog.entries());
    expect(result).toEqual({ ok: true, checked: 1000, lastHash: entries.at(-1)!.hash });
  });

  it("lets other calls run while entries() is being read, across pages", async () => {
    const log = openLog();
    for (let i = 0; i < 600; i++) for (const batch of commandRecords(i)) await log.append(batch);
    let seen = 0;
    for await (const entry of log.entries()) {
      seen++;
      if (entry.seq % 500 === 0) await log.append([{ event: "role", actor: "admin" }]);
    }
    expect(seen).toBeGreaterThan(2400);
    expect((await verifyChain(log.entries())).ok).toBe(true);
  });

  it("only closes a database it was asked to own", async () => {
    const db = openDatabase(tempDbPath());
    onCleanup(() => db.close());
    await new SqliteAuditLog(db).close();
    expect(db.open).toBe(true);
    await new SqliteAuditLog(db, { closeDatabase: true }).close();
    expect(db.open).toBe(false);
  });
});

describe("several writers on one file", () => {
  it("keeps one chain when two instances append alternately", async () => {
    const path = tempDbPath();
    const a = openLog(path);
    const b = openLog(path);
    // Each instance's last write is stale for the other: the chain must be re-read inside the transaction.
    for (let i = 0; i < 100; i++) {
      const [first, second] = commandRecords(i);
      await (i % 2 === 0 ? a : b).append(first);
      await (i % 3 === 0 ? a : b).append(second);
    }
    const fromA = await collect(a.entries());
    expect(fromA.map((e) => e.seq)).toEqual(Array.from({ length: 400 }, (_, i) => i + 1));
    expect(await verifyChain(fromA)).toMatchObject({ ok: true, checked: 400 });
    expect(await collect(b.entries())).toEqual(fromA);
  });

  it("keeps one chain when appends from two instances interleave without awaiting", async () => {
    const path = tempDbPath();
    const logs = [openLog(path), openLog(path), openLog(path)];
    await Promise.all(
      Array.from({ length: 90 }, (_, i) =>
        logs[i % 3]!.append(commandRecords(i)[0]).then(() => logs[(i + 1) % 3]!.append(commandRecords(i)[1])),
      ),
    );
    const result = await verifyChain(logs[2]!.entries());
    expect(result).toMatchObject({ ok: true, checked: 360 });
  });
});
