// Claims of messages received on a leased connection (IRC, Matrix) carry the lease term the connection was opened
// under; the batch statement refuses such a claim (nothing inserted, nothing audited) once that term has ended.
import {
  type AuditRecord,
  type ConnectionLease,
  createBot,
  defineCommand,
  type IncomingMessage,
  type Logger,
  out,
} from "@switchboard/core";
import { ClaimRefusedError, type MessageClaim, verifyChain } from "@switchboard/core/audit";
import { until } from "@switchboard/test-servers";
import { MemoryAdapter } from "@switchboard/testing";
import pg from "pg";
import { describe, expect, it } from "vitest";
import type { PostgresStorage } from "../src/index.js";
import { LeaseElector } from "../src/lease-elector.js";
import { LeasedAdapter } from "../src/leased-adapter.js";
import { freshDatabase, onCleanup, open, usePostgres } from "./helpers.js";

usePostgres();

/** An elector for `resource` held by `holder` that only acts when told (no polling, long renewals). */
function elector(storage: PostgresStorage, resource: string, options: { renewEveryMs?: number; ttlMs?: number } = {}) {
  const e = new LeaseElector({
    pool: storage.pool,
    resource,
    holder: storage.instance,
    pollEveryMs: 60_000,
    ...options,
  });
  onCleanup(() => e.stop());
  return e;
}

/** The term an elector holds now. */
function termOf(e: LeaseElector): ConnectionLease {
  const lease = e.lease;
  if (!lease) throw new Error(`${e.holder} does not hold ${e.resource}`);
  return { resource: lease.resource, holder: lease.holder, token: lease.token };
}

const admitted = (id: string): AuditRecord => ({ event: "admitted", jobId: id, actor: "alice", command: "deploy" });

const claimOf = (messageId: string, lease?: ConnectionLease, network = "irc"): MessageClaim => ({
  network,
  messageId,
  room: "#ops",
  ...(lease ? { lease } : {}),
});

/** What a claim came to: its entries' count, `lost`, `refused`, or another error. */
function settle(p: Promise<unknown[] | undefined>): Promise<number | "lost" | "refused" | string> {
  return p.then(
    (entries) => (entries === undefined ? "lost" : entries.length),
    (error: unknown) => (error instanceof ClaimRefusedError ? "refused" : String(error)),
  );
}

async function claimed(pool: pg.Pool): Promise<string[]> {
  const { rows } = await pool.query<{ message_id: string }>("SELECT message_id FROM inbound ORDER BY message_id");
  return rows.map((r) => r.message_id);
}

async function audited(storage: PostgresStorage): Promise<string[]> {
  return (await storage.auditLog.query({ limit: 1000 })).map((e) => e.jobId ?? e.event).sort();
}

describe("claims under a lease", () => {
  it("refuses a claim whose term was taken over by another instance, and an older term of the same instance; the current term wins", async () => {
    const url = await freshDatabase();
    const a = await open(url, { instance: "a" });
    const b = await open(url, { instance: "b" });
    const ea = elector(a, "irc:test");
    await ea.start();
    const first = termOf(ea);
    expect(first.token).toBe(1);
    expect(await settle(a.auditLog.appendClaimed(claimOf("M1", first), [admitted("J1")]))).toBe(1);

    // b takes the lease over (a released it: the standby leads with the next token).
    await ea.stop();
    const eb = elector(b, "irc:test");
    await eb.start();
    expect(termOf(eb).token).toBe(2);
    // A message a received under its term, claimed now: refused. In the same batch (same tick): a message on an
    // unleased network and one b received under the current term are claimed as always.
    const results = await Promise.all([
      settle(a.auditLog.appendClaimed(claimOf("M2", first), [admitted("J2")])),
      settle(a.auditLog.appendClaimed(claimOf("S1", undefined, "slack"), [admitted("JS1")])),
      settle(a.auditLog.appendClaimed(claimOf("M3", termOf(eb)), [admitted("J3")])),
    ]);
    expect(results).toEqual(["refused", 1, 1]);

    // a leads again, under a newer term: a message received under its old term is still refused; the new term wins.
    await eb.stop();
    const ea2 = elector(a, "irc:test");
    await ea2.start();
    const third = termOf(ea2);
    expect(third).toEqual({ resource: "irc:test", holder: "a", token: 3 });
    expect(await settle(a.auditLog.appendClaimed(claimOf("M4", first), [admitted("J4")]))).toBe("refused");
    // b's ended term too, even though it names the lease's previous holder and token.
    expect(await settle(b.auditLog.appendClaimed(claimOf("M5", { ...third, holder: "b", token: 2 }), []))).toBe(
      "refused",
    );
    expect(await settle(a.auditLog.appendClaimed(claimOf("M6", third), [admitted("J6")]))).toBe(1);
    // A refused claim took nothing: the message can still be claimed by the current term (a redelivery after
    // failover, a Matrix sync from the stored position).
    expect(await settle(a.auditLog.appendClaimed(claimOf("M2", third), [admitted("J2b")]))).toBe(1);

    expect(await claimed(a.pool)).toEqual(["M1", "M2", "M3", "M6", "S1"]);
    expect(await audited(a)).toEqual(["J1", "J2b", "J3", "J6", "JS1"]);
    expect(await verifyChain(a.auditLog.entries())).toMatchObject({ ok: true, checked: 5 });
  });

  it("refuses a claim whose term ran out (same holder and token, lease expired)", async () => {
    const a = await open(undefined, { instance: "a" });
    await a.pool.query(
      "INSERT INTO leases (resource, holder, token, acquired_at, expires_at) VALUES ('irc:test', 'a', 7, now(), now() - interval '1 second')",
    );
    const term = { resource: "irc:test", holder: "a", token: 7 };
    expect(await settle(a.auditLog.appendClaimed(claimOf("M1", term), [admitted("J1")]))).toBe("refused");
    expect(await settle(a.auditLog.appendClaimed(claimOf("M2", { ...term, resource: "irc:none" }), []))).toBe(
      "refused",
    );
    expect(await claimed(a.pool)).toEqual([]);
    expect(await audited(a)).toEqual([]);
  });

  it("cannot race a takeover: a claim under the old term waits for a takeover in progress and is refused when it commits", async () => {
    const url = await freshDatabase();
    const a = await open(url, { instance: "a" });
    const ea = elector(a, "irc:test");
    await ea.start();
    const term = termOf(ea);
    // Another instance's takeover, not yet committed (what the old code read past: the old row was still there).
    const b = await open(url, { instance: "b" });
    const takeover = await b.pool.connect();
    onCleanup(() => takeover.release());
    await takeover.query("BEGIN");
    await takeover.query("UPDATE leases SET holder = 'b', token = token + 1 WHERE resource = 'irc:test'");
    const claim = settle(a.auditLog.appendClaimed(claimOf("M1", term), [admitted("J1")]));
    await until(async () => {
      const { rows } = await b.pool.query(
        "SELECT 1 FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock' AND query LIKE '%FROM leases%'",
      );
      return rows.length > 0;
    }, "the claim to wait for the lease row");
    await takeover.query("COMMIT");
    expect(await claim).toBe("refused");
    expect(await claimed(a.pool)).toEqual([]);
    expect(await audited(a)).toEqual([]);
  });

  it("two instances' batches with leases, overlapping claims and renewals under way do not deadlock", async () => {
    const url = await freshDatabase();
    const a = await open(url, { instance: "a" });
    const b = await open(url, { instance: "b" });
    // Each holds three leases, renewed every 20 ms while the batches run (a renewal waits for the share locks).
    const timings = { ttlMs: 5_000, renewEveryMs: 20 };
    const electors = {
      a: ["irc:a1", "matrix:a2", "irc:a3"].map((r) => elector(a, r, timings)),
      b: ["irc:b1", "matrix:b2", "irc:b3"].map((r) => elector(b, r, timings)),
    };
    const held = { a: await Promise.all(electors.a.map(started)), b: await Promise.all(electors.b.map(started)) };
    const stale = (t: ConnectionLease) => ({ ...t, token: t.token - 1 });
    const all = [...held.a, ...held.b];
    const results: Array<Promise<number | "lost" | "refused" | string>> = [];
    for (let round = 0; round < 25; round++) {
      for (const [storage, mine, order] of [
        [a, held.a, 1],
        [b, held.b, -1],
      ] as const) {
        const claims: Array<[MessageClaim, string]> = [];
        // Its own terms (win), stale terms of every lease in either order (refused), and Slack messages both
        // instances receive (one wins).
        for (const [i, t] of mine.entries()) claims.push([claimOf(`${storage.instance}-${round}-${i}`, t), "won"]);
        for (const [i, t] of all.entries())
          claims.push([claimOf(`${storage.instance}-${round}-stale-${i}`, stale(t)), "refused"]);
        for (let i = 0; i < 6; i++) claims.push([claimOf(`slack-${round}-${i}`, undefined, "slack"), "either"]);
        if (order < 0) claims.reverse();
        for (const [claim, expected] of claims)
          results.push(
            settle(storage.auditLog.appendClaimed(claim, [admitted(`${storage.instance}:${claim.messageId}`)])).then(
              (r) => (expected === "either" && (r === 1 || r === "lost") ? "either" : r === 1 ? "won" : r),
            ),
          );
      }
      await new Promise((r) => setImmediate(r));
    }
    const outcome = await Promise.all(results);
    const count = (what: string) => outcome.filter((o) => o === what).length;
    expect(count("won")).toBe(25 * 6);
    expect(count("refused")).toBe(25 * 2 * 6);
    expect(count("either")).toBe(25 * 2 * 6);
    expect(outcome.length).toBe(count("won") + count("refused") + count("either"));
    // Each Slack message claimed once; no stale claim taken.
    const { rows } = await a.pool.query<{ n: number }>(
      "SELECT count(*)::int AS n FROM inbound WHERE message_id LIKE 'slack-%'",
    );
    expect(rows[0]!.n).toBe(25 * 6);
    expect((await claimed(a.pool)).filter((id) => id.includes("stale"))).toEqual([]);
    // Every lease still held by its first holder (the renewals went through, none lapsed).
    const leases = await a.pool.query("SELECT resource, holder, token FROM leases WHERE expires_at > now()");
    expect(leases.rows).toHaveLength(6);
    for (const row of leases.rows)
      expect(row).toEqual({ resource: row.resource, holder: row.resource.includes(":a") ? "a" : "b", token: "1" });
    expect(await verifyChain(a.auditLog.entries())).toMatchObject({ ok: true, checked: 25 * 6 * 2 });
    // A batch that deadlocked would have been retried and gone through: the server's count shows it. Every backend
    // flushes its counts when it exits, so the instances stop first.
    for (const e of [...electors.a, ...electors.b]) await e.stop();
    await a.close();
    await b.close();
    expect(await deadlocks(url)).toBe(0);
  }, 60_000);

  it("a message received on a leased connection before a takeover is not run after it, and is logged", async () => {
    const url = await freshDatabase();
    const a = await open(url, { instance: "a" });
    const connection = new MemoryAdapter("irc");
    const leased = new LeasedAdapter(connection, { pool: a.pool, holder: "a", prefix: "irc", pollEveryMs: 60_000 });
    const warnings: Array<{ obj: Record<string, unknown>; msg: string | undefined }> = [];
    const logger: Logger = {
      debug: () => {},
      info: () => {},
      warn: (obj, msg) => void warnings.push({ obj: obj as Record<string, unknown>, msg }),
      error: () => {},
      child: () => logger,
    };
    const ran: string[] = [];
    const bot = createBot({
      store: a.store,
      auditLog: a.auditLog,
      logger,
      rateLimit: false,
      adapters: [leased],
      policy: {
        roles: { ops: { permissions: ["*"] } },
        principals: { alice: { roles: ["ops"], identities: { irc: "alice" } } },
      },
      commands: [
        defineCommand({
          name: "deploy",
          summary: "deploy",
          guests: false,
          sideEffect: true,
          handler: async () => {
            ran.push("deploy");
            return out.text("deployed");
          },
        }),
      ],
    });
    await bot.start();
    onCleanup(() => bot.stop());
    expect(leased.leading).toBe(true);
    const message = (id: string): IncomingMessage => ({
      id,
      network: "irc",
      room: { id: "#ops", direct: false },
      sender: { id: "alice", name: "alice", verified: true },
      text: "!deploy",
      time: new Date(),
    });
    await connection.inject(message("Before"));
    expect(ran).toEqual(["deploy"]);

    // The message arrives while another instance is taking the lease over: its claim waits for the lease row, and
    // the takeover commits first (as after a partition heals, when the old leader's claim finally reaches the
    // database).
    const takeover = await a.pool.connect();
    onCleanup(() => takeover.release());
    await takeover.query("BEGIN");
    await takeover.query("UPDATE leases SET holder = 'b', token = token + 1 WHERE resource = 'irc:irc'");
    const handled = connection.inject(message("During"));
    await until(async () => {
      const { rows } = await a.pool.query(
        "SELECT 1 FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock' AND query LIKE '%FROM leases%'",
      );
      return rows.length > 0;
    }, "the claim to wait for the lease row");
    await takeover.query("COMMIT");
    await handled;
    expect(ran).toEqual(["deploy"]);
    expect(connection.sent).toHaveLength(1); // the answer to "Before" only
    expect(await claimed(a.pool)).toEqual(["Before"]);
    const entries = await a.auditLog.query({ limit: 100 });
    expect(entries.map((e) => e.event)).toEqual(expect.not.arrayContaining(["error"]));
    expect(entries.filter((e) => e.event === "admitted")).toHaveLength(1);
    expect(warnings).toContainEqual({
      obj: expect.objectContaining({ network: "irc", messageId: "During", resource: "irc:irc", token: 1 }),
      msg: expect.stringMatching(/^message not run: received under a lease term that has ended/),
    });
  });
});

async function started(e: LeaseElector): Promise<ConnectionLease> {
  await e.start();
  return termOf(e);
}

/** Deadlocks the server has counted in the database at `url`, once every other session of it has ended. */
async function deadlocks(url: string): Promise<number> {
  const observer = new pg.Pool({ connectionString: url, max: 1 });
  try {
    await until(async () => {
      const { rows } = await observer.query(
        "SELECT 1 FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()",
      );
      return rows.length === 0;
    }, "the instances' sessions to end");
    const { rows } = await observer.query<{ n: string }>(
      "SELECT deadlocks AS n FROM pg_stat_database WHERE datname = current_database()",
    );
    return Number(rows[0]!.n);
  } finally {
    await observer.end();
  }
}
