/**
 * Outcomes under overload: a batch of audit writes that fails without committing (the audit head held past
 * `lock_timeout`, no pool connection free in time) is written again, so no outcome is lost and no job row stays
 * `running`; claims wait behind outcomes rather than the other way round.
 */
import { createBot, defineCommand, type IncomingMessage, out, silentLogger } from "@switchboard/core";
import { verifyChain } from "@switchboard/core/audit";
import { MemoryAdapter } from "@switchboard/testing";
import pg from "pg";
import { describe, expect, it } from "vitest";
import type { PostgresStorage } from "../src/index.js";
import { freshDatabase, onCleanup, open, sleep, usePostgres } from "./helpers.js";

usePostgres();

const policy = {
  roles: { ops: { permissions: ["*"] } },
  principals: { alice: { roles: ["ops"], identities: { slack: "alice" } } },
};

function message(id: string, text: string): IncomingMessage {
  return {
    id,
    network: "slack",
    room: { id: "C0123", direct: false },
    sender: { id: "alice", name: "alice", verified: true },
    text,
    time: new Date(),
  };
}

/** A bot whose side-effecting `deploy` records that it ran, then waits for `gate`. */
async function botOn(storage: PostgresStorage, ran: string[], gate: Promise<void>) {
  const adapter = new MemoryAdapter("slack");
  const bot = createBot({
    store: storage.store,
    auditLog: storage.auditLog,
    policy,
    logger: silentLogger(),
    rateLimit: false,
    adapters: [adapter],
    commands: [
      defineCommand({
        name: "deploy",
        summary: "deploy something",
        guests: false,
        args: {},
        sideEffect: true,
        handler: async (ctx) => {
          ran.push(ctx.message.id);
          await gate;
          return out.status("ok", "deployed");
        },
      }),
    ],
  });
  await bot.start();
  onCleanup(() => bot.stop());
  return { bot, adapter };
}

/** Every job's entries, and the claims' statuses. */
async function ledger(storage: PostgresStorage) {
  const entries = [];
  for await (const entry of storage.auditLog.entries()) entries.push(entry);
  const { rows } = await storage.pool.query<{ status: string; n: number }>(
    "SELECT status, count(*)::int AS n FROM inbound GROUP BY status ORDER BY status",
  );
  return { entries, statuses: rows };
}

describe("outcomes under overload", () => {
  it("writes every outcome once while another session holds the audit head past lock_timeout", async () => {
    const url = await freshDatabase();
    const storage = await open(url, { instance: "a", lockTimeoutMs: 100, poolSize: 2 });
    const ran: string[] = [];
    let release!: () => void;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const { adapter } = await botOn(storage, ran, gate);
    const ids = Array.from({ length: 60 }, (_, i) => `Over${i}`);
    const handled = Promise.all(ids.map((id) => adapter.inject(message(id, "!deploy"))));
    // Every command claimed (its `admitted` durable) and running.
    while (ran.length < ids.length) await sleep(10);
    // Another session takes the audit head and keeps it for many lock timeouts while the outcomes are written, and
    // new messages keep arriving meanwhile.
    const holder = new pg.Client({ connectionString: url });
    await holder.connect();
    onCleanup(() => holder.end());
    await holder.query("BEGIN");
    await holder.query("SELECT seq FROM audit_head WHERE id FOR UPDATE");
    release();
    const more = Array.from({ length: 20 }, (_, i) => `Late${i}`);
    const lateHandled = Promise.all(more.map((id) => adapter.inject(message(id, "!deploy"))));
    await sleep(1_000);
    await holder.query("COMMIT");
    await Promise.all([handled, lateHandled]);

    const { entries, statuses } = await ledger(storage);
    const all = [...ids, ...more];
    for (const event of ["outcome", "admitted"]) {
      const jobs = entries.filter((e) => e.event === event).map((e) => e.jobId);
      expect(new Set(jobs).size).toBe(all.length);
      expect(jobs).toHaveLength(all.length);
    }
    // The late messages were not refused: their claims waited for the head with the outcomes.
    expect(ran.sort()).toEqual([...all].sort());
    expect(adapter.sent).toHaveLength(all.length);
    expect(statuses).toEqual([{ status: "done", n: all.length }]);
    expect(await verifyChain(entries)).toMatchObject({ ok: true, checked: 2 * all.length });
  });

  it("writes every outcome once when the pool has no connection free for longer than its wait", async () => {
    const url = await freshDatabase();
    const storage = await open(url, { instance: "a", poolSize: 1 });
    const ran: string[] = [];
    let release!: () => void;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const { adapter } = await botOn(storage, ran, gate);
    const ids = Array.from({ length: 40 }, (_, i) => `Pool${i}`);
    const handled = Promise.all(ids.map((id) => adapter.inject(message(id, "!deploy"))));
    while (ran.length < ids.length) await sleep(10);
    // The pool's only connection is taken (by a long transaction of something else in the process) for longer
    // than the pool's connection wait (10 s): the outcomes' batch cannot get a connection in time.
    const busy = await storage.pool.connect();
    release();
    await sleep(11_000);
    busy.release();
    await handled;

    const { entries, statuses } = await ledger(storage);
    expect(adapter.sent).toHaveLength(ids.length);
    expect(entries.filter((e) => e.event === "outcome")).toHaveLength(ids.length);
    expect(statuses).toEqual([{ status: "done", n: ids.length }]);
    expect(await verifyChain(entries)).toMatchObject({ ok: true, checked: 2 * ids.length });
  }, 30_000);
});
