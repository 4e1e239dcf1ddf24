import { arg, createBot, defineCommand, type IncomingMessage, out, silentLogger } from "@switchboard/core";
import { verifyChain } from "@switchboard/core/audit";
import { MemoryAdapter } from "@switchboard/testing";
import { describe, expect, it } from "vitest";
import type { PostgresStorage } from "../src/index.js";
import { InstanceRegistry } from "../src/instances.js";
import { claimDelivery } from "../src/webhook-deliveries.js";
import { freshDatabase, onCleanup, open, usePostgres } from "./helpers.js";

usePostgres();

const policy = {
  roles: { ops: { permissions: ["*"] } },
  principals: { alice: { roles: ["ops"], identities: { slack: "alice" } } },
};

/** A bot on `storage` with a side-effecting `deploy` and a read-only `status`; counts what ran. */
async function botOn(storage: PostgresStorage, ran: string[], name: string, options: { hang?: Promise<void> } = {}) {
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
        args: { env: arg.string({ positional: true }) },
        sideEffect: true,
        handler: async (ctx) => {
          ran.push(`${name}:deploy:${ctx.args.env}`);
          if (options.hang) await options.hang;
          return out.status("ok", `deployed ${ctx.args.env}`);
        },
      }),
      defineCommand({
        name: "status",
        summary: "read-only",
        guests: false,
        handler: async () => {
          ran.push(`${name}:status`);
          return out.text("all good");
        },
      }),
      defineCommand({
        name: "forbidden",
        summary: "nobody may",
        permission: "secret:thing",
        handler: async () => out.text("never"),
      }),
    ],
  });
  await bot.start();
  onCleanup(() => bot.stop());
  return { bot, adapter };
}

function message(id: string, text: string, sender = "alice"): IncomingMessage {
  return {
    id,
    network: "slack",
    room: { id: "C0123", direct: false },
    sender: { id: sender, name: sender, verified: true },
    text,
    time: new Date(),
  };
}

describe("exactly-once intake", () => {
  it("runs a message delivered to two instances once, and only one of them answers", async () => {
    const url = await freshDatabase();
    const ran: string[] = [];
    const a = await botOn(await open(url, { instance: "a" }), ran, "a");
    const b = await botOn(await open(url, { instance: "b" }), ran, "b");
    await Promise.all([
      a.adapter.inject(message("Ev1", "!deploy prod")),
      b.adapter.inject(message("Ev1", "!deploy prod")),
    ]);
    expect(ran.filter((r) => r.endsWith("deploy:prod"))).toHaveLength(1);
    expect([...a.adapter.sent, ...b.adapter.sent]).toHaveLength(1);
    // A retry of the same event later is silent too.
    await b.adapter.inject(message("Ev1", "!deploy prod"));
    expect(ran).toHaveLength(1);
    expect([...a.adapter.sent, ...b.adapter.sent]).toHaveLength(1);
  });

  it("claims read-only commands and denials too; different messages each run", async () => {
    const url = await freshDatabase();
    const ran: string[] = [];
    const storageA = await open(url, { instance: "a" });
    const a = await botOn(storageA, ran, "a");
    const b = await botOn(await open(url, { instance: "b" }), ran, "b");
    for (const [id, text, who] of [
      ["Ev2", "!status", "alice"],
      ["Ev3", "!forbidden", "mallory"], // a guest: denied
      ["Ev4", "!status", "alice"],
    ] as const) {
      await Promise.all([a.adapter.inject(message(id, text, who)), b.adapter.inject(message(id, text, who))]);
    }
    expect(ran.filter((r) => r.endsWith("status"))).toHaveLength(2);
    const answers = [...a.adapter.sent, ...b.adapter.sent];
    expect(answers).toHaveLength(3);
    const entries = [];
    for await (const entry of storageA.auditLog.entries()) entries.push(entry);
    expect(entries.filter((e) => e.event === "denied")).toHaveLength(1);
    expect(entries.filter((e) => e.event === "admitted")).toHaveLength(2);
    expect(await verifyChain(entries)).toMatchObject({ ok: true });
    const { rows } = await storageA.pool.query("SELECT message_id, status FROM inbound ORDER BY message_id");
    expect(rows).toEqual([
      { message_id: "Ev2", status: "done" },
      { message_id: "Ev3", status: "done" },
      { message_id: "Ev4", status: "done" },
    ]);
  });

  it("claims in batches: 40 messages given to two instances at once, in opposite orders, each run once", async () => {
    const url = await freshDatabase();
    const ran: string[] = [];
    const storageA = await open(url, { instance: "a" });
    const a = await botOn(storageA, ran, "a");
    const b = await botOn(await open(url, { instance: "b" }), ran, "b");
    const ids = Array.from({ length: 40 }, (_, i) => `Batch${String(i).padStart(2, "0")}`);
    // Same tick on each instance, so each instance's claims go to PostgreSQL in one statement; B's arrive reversed
    // (a claim order that would deadlock two transactions taking the rows one by one).
    await Promise.all([
      ...ids.map((id) => a.adapter.inject(message(id, `!deploy ${id}`))),
      ...[...ids].reverse().map((id) => b.adapter.inject(message(id, `!deploy ${id}`))),
    ]);
    for (const id of ids) expect(ran.filter((r) => r.endsWith(`:deploy:${id}`))).toHaveLength(1);
    expect([...a.adapter.sent, ...b.adapter.sent]).toHaveLength(40);
    const entries = [];
    for await (const entry of storageA.auditLog.entries()) entries.push(entry);
    expect(entries.filter((e) => e.event === "admitted")).toHaveLength(40);
    expect(entries.filter((e) => e.event === "outcome")).toHaveLength(40);
    expect(await verifyChain(entries)).toMatchObject({ ok: true, checked: 80 });
    const { rows } = await storageA.pool.query("SELECT status, count(*)::int AS n FROM inbound GROUP BY status");
    expect(rows).toEqual([{ status: "done", n: 40 }]);
  });

  it("a message given twice to one instance in the same tick runs once", async () => {
    const url = await freshDatabase();
    const ran: string[] = [];
    const a = await botOn(await open(url, { instance: "a" }), ran, "a");
    await Promise.all([
      a.adapter.inject(message("Twice", "!deploy prod")),
      a.adapter.inject(message("Twice", "!deploy prod")),
      a.adapter.inject(message("Once", "!deploy staging")),
    ]);
    expect(ran.sort()).toEqual(["a:deploy:prod", "a:deploy:staging"]);
    expect(a.adapter.sent).toHaveLength(2);
  });
});

describe("at-most-once jobs", () => {
  it("abandons the running job of an instance that stopped heartbeating: audited, locks released, not re-run", async () => {
    const url = await freshDatabase();
    const ran: string[] = [];
    const dead = await open(url, { instance: "dead" });
    const deadRegistry = new InstanceRegistry({ pool: dead.pool, instance: "dead", heartbeatEveryMs: 60_000 });
    await deadRegistry.start();
    const never = new Promise<void>(() => {});
    const a = await botOn(dead, ran, "dead", { hang: never });
    await dead.store.acquireLock({ name: "deploy:prod", owner: "alice", reason: "deploy", ttlMs: 600_000 });
    void a.adapter.inject(message("Ev9", "!deploy prod"));
    const survivor = await open(url, { instance: "alive" });
    const abandoned: unknown[] = [];
    const registry = new InstanceRegistry({
      pool: survivor.pool,
      instance: "alive",
      deadAfterMs: 200,
      onAbandoned: (jobs) => {
        abandoned.push(...jobs);
      },
    });
    await registry.start();
    onCleanup(() => registry.stop());
    // Wait until the job is running on "dead", then let its heartbeat go stale.
    while (!ran.includes("dead:deploy:prod")) await new Promise((r) => setTimeout(r, 20));
    await new Promise((r) => setTimeout(r, 400));
    const jobs = await registry.reap();
    expect(jobs).toEqual([
      expect.objectContaining({ network: "slack", messageId: "Ev9", room: "C0123", instance: "dead" }),
    ]);
    expect(abandoned).toEqual(jobs);
    expect(await registry.reap()).toEqual([]);
    expect(await survivor.store.listLocks()).toEqual([]);
    const [outcome] = await survivor.auditLog.query({ jobId: jobs[0]!.jobId!, event: "outcome" });
    const [admitted] = await survivor.auditLog.query({ jobId: jobs[0]!.jobId!, event: "admitted" });
    expect(outcome).toMatchObject({
      actor: admitted!.actor,
      command: "deploy",
      room: "C0123",
      detail: { status: "abandoned" },
    });
    expect(await verifyChain(survivor.auditLog.entries())).toMatchObject({ ok: true });
    // The same message delivered again (a Slack retry) does not run the job again.
    const b = await botOn(survivor, ran, "alive");
    await b.adapter.inject(message("Ev9", "!deploy prod"));
    expect(ran).toEqual(["dead:deploy:prod"]);
  });
});

describe("webhook deliveries", () => {
  it("are taken once across instances", async () => {
    const url = await freshDatabase();
    const a = await open(url, { instance: "a" });
    const b = await open(url, { instance: "b" });
    const results = await Promise.all([
      claimDelivery(a.pool, a.instance, "github", "d-1"),
      claimDelivery(b.pool, b.instance, "github", "d-1"),
      claimDelivery(b.pool, b.instance, "alertmanager", "d-1"),
    ]);
    expect(results.slice(0, 2).sort()).toEqual([false, true]);
    expect(results[2]).toBe(true);
    expect(await claimDelivery(a.pool, a.instance, "github", "d-1")).toBe(false);
  });
});
