// The fault tests of the scale-out research (§8), on real processes: each instance is a separate Node process
// (test/fault/instance.mjs) on a real PostgreSQL 15 cluster; they are killed, stopped and frozen with signals.
// Leases use a 3 s TTL here so that a test takes seconds; the default (10 s) is measured in bench/.
import { verifyChain } from "@switchboard/core/audit";
import { TcpProxy, until } from "@switchboard/test-servers";
import { describe, expect, it } from "vitest";
import { SCHEMA_VERSION } from "../src/schema.js";
import { freshDatabase, onCleanup, open, usePostgres } from "./helpers.js";
import { InstanceProcess } from "./processes.js";

const postgres = usePostgres();

const TTL = "3000";

async function instances(names: string[], env: Record<string, string>, prepare?: (url: string) => Promise<void>) {
  const url = await freshDatabase();
  await prepare?.(url);
  const all = names.map(
    (name) => new InstanceProcess(name, { DATABASE_URL: url, TTL_MS: TTL, POLL_MS: "300", ...env }),
  );
  await Promise.all(all.map((p) => p.waitFor("started")));
  return { url, all };
}

/** The instances whose last lease event on `resource` says they lead it. */
const leaderOf = (all: InstanceProcess[], resource = "irc:test") =>
  all.filter((p) => {
    const last = p.events.filter((e) => (e.ev === "lead" || e.ev === "lose") && e.resource === resource).at(-1);
    return last?.ev === "lead";
  });

/** The instances whose leased connection is open now (last "connected" after the last "disconnected"). */
const connectedOf = (all: InstanceProcess[]) =>
  all.filter((p) => p.events.filter((e) => e.ev === "connected" || e.ev === "disconnected").at(-1)?.ev === "connected");

/** Every job the instances ran has its `admitted` entry in the audit log (nothing ran unaudited). */
async function expectEveryRunAudited(url: string, all: InstanceProcess[]) {
  const { auditLog } = await open(url);
  const ran = all.flatMap((p) => p.events.filter((e) => e.ev === "running").map((e) => e.job as string));
  const admitted = new Set((await auditLog.query({ event: "admitted", limit: 100_000 })).map((entry) => entry.jobId));
  expect(
    ran.filter((job) => !admitted.has(job)),
    "jobs that ran without an admitted audit entry",
  ).toEqual([]);
  expect(new Set(ran).size, "a job ran twice").toBe(ran.length);
  const result = await verifyChain(auditLog.entries());
  expect(result.ok, JSON.stringify(result)).toBe(true);
  return { auditLog, ran };
}

/** Every schema step, 1 … the current version. */
const allVersions = Array.from({ length: SCHEMA_VERSION }, (_, i) => i + 1);

describe("fault tests on real processes", () => {
  it("kill -9 of the idle leader: the standby leads after the TTL, with the next token", async () => {
    const { all } = await instances(["a", "b"], { MODE: "idle" });
    await until(() => leaderOf(all).length === 1, "a leader");
    const [leader] = leaderOf(all);
    const standby = all.find((p) => p !== leader)!;
    leader!.signal("SIGKILL");
    const lead = await standby.waitFor("lead");
    expect(lead.token).toBe(2);
    expect(leaderOf([standby])).toEqual([standby]);
  });

  it("SIGTERM: the leader releases with NOTIFY and a standby that polls once a minute leads", async () => {
    const { all } = await instances(["a", "b"], { MODE: "idle", POLL_MS: "60000" });
    await until(() => leaderOf(all).length === 1, "a leader");
    const [leader] = leaderOf(all);
    const standby = all.find((p) => p !== leader)!;
    leader!.signal("SIGTERM");
    await leader!.waitFor("stopped");
    expect(leader!.events).toContainEqual(expect.objectContaining({ ev: "lose", reason: "released" }));
    expect((await standby.waitFor("lead", () => true, 10_000)).token).toBe(2);
  });

  it.each([2, 4])(
    "%i instances started at once: the migrations run once, one leader per resource",
    async (count) => {
      const resources = ["irc:libera", "matrix:ops", "audit-head"];
      const names = ["a", "b", "c", "d"].slice(0, count);
      const { url, all } = await instances(names, { MODE: "idle", RESOURCES: resources.join(",") });
      const applied = all.map((p) => p.events.find((e) => e.ev === "migrated")!.applied as number[]);
      const { pool } = await open(url);
      // One instance applied every migration; the others found the schema up to date.
      expect(applied.filter((a) => a.length > 0)).toEqual([allVersions]);
      for (const resource of resources)
        await until(() => leaderOf(all, resource).length === 1, `a leader of ${resource}`);
      // A few renewals and polls later, still one leader per resource, and nobody ever took one over.
      await new Promise((r) => setTimeout(r, 1500));
      for (const resource of resources) {
        expect(leaderOf(all, resource), resource).toHaveLength(1);
        const leads = all.flatMap((p) => p.events.filter((e) => e.ev === "lead" && e.resource === resource));
        expect(
          leads.map((e) => e.token),
          resource,
        ).toEqual([1]);
      }
      const { rows } = await pool.query<{ resource: string; token: string }>(
        "SELECT resource, token FROM leases WHERE expires_at > now() ORDER BY resource",
      );
      expect(rows).toEqual([...resources].sort().map((resource) => ({ resource, token: "1" })));
    },
    60_000,
  );

  it("SIGSTOP past the TTL, then SIGCONT: the stale leader's writes fail the token check", async () => {
    let pool!: import("pg").Pool;
    const { all } = await instances(["a", "b"], { MODE: "fenced" }, async (url) => {
      ({ pool } = await open(url));
      await pool.query(
        "CREATE TABLE fenced_writes (id bigserial PRIMARY KEY, holder text NOT NULL, token bigint NOT NULL)",
      );
    });
    await until(() => leaderOf(all).length === 1, "a leader");
    const [stale] = leaderOf(all);
    const next = all.find((p) => p !== stale)!;
    await until(async () => ((await pool.query("SELECT 1 FROM fenced_writes")).rowCount ?? 0) > 3, "writes");
    stale!.signal("SIGSTOP");
    await next.waitFor("lead");
    await until(
      async () => ((await pool.query("SELECT 1 FROM fenced_writes WHERE token = 2")).rowCount ?? 0) > 3,
      "new writes",
    );
    stale!.signal("SIGCONT");
    await stale!.waitFor("lose");
    await new Promise((r) => setTimeout(r, 500));
    const { rows } = await pool.query<{ holder: string; token: string }>(
      "SELECT holder, token FROM fenced_writes ORDER BY id",
    );
    const firstNew = rows.findIndex((r) => r.token === "2");
    expect(firstNew).toBeGreaterThan(0);
    // Nothing written under the old token once the new leader has written.
    expect(rows.slice(firstNew).filter((r) => r.token !== "2")).toEqual([]);
    expect(rows.slice(firstNew).every((r) => r.holder === next.name)).toBe(true);
  }, 60_000);

  it("an instance whose clock is 60 s fast steals no lease (DB time only)", async () => {
    const url = await freshDatabase();
    const honest = new InstanceProcess("honest", { DATABASE_URL: url, TTL_MS: TTL, POLL_MS: "300", MODE: "idle" });
    await honest.waitFor("lead");
    const fast = new InstanceProcess("fast", {
      DATABASE_URL: url,
      TTL_MS: TTL,
      POLL_MS: "100",
      MODE: "idle",
      CLOCK_OFFSET_MS: "60000",
    });
    await fast.waitFor("started");
    await new Promise((r) => setTimeout(r, 4000)); // more than a TTL of polling
    expect(fast.has("lead")).toBe(false);
    expect(leaderOf([honest, fast])).toEqual([honest]);
  });

  it("kill -9 mid-command: the job is abandoned (audited, not re-run) and the chain verifies", async () => {
    const { url, all } = await instances(["a", "b"], { MODE: "bot", DEAD_AFTER_MS: "1500" });
    const [a, b] = all as [InstanceProcess, InstanceProcess];
    a.say("Ev1", "!deploy slow");
    await a.waitFor("running");
    a.signal("SIGKILL");
    const abandoned = await b.waitFor("abandoned");
    expect(abandoned.jobs).toEqual([expect.objectContaining({ messageId: "Ev1", room: "C0123", instance: "a" })]);
    // Slack retries the event to the other instance: it does not run again.
    b.say("Ev1", "!deploy slow");
    await b.waitFor("handled", (e) => e.id === "Ev1");
    expect(b.has("running")).toBe(false);
    const { auditLog } = await open(url);
    const outcomes = await auditLog.query({ event: "outcome" });
    expect(outcomes).toEqual([
      expect.objectContaining({ command: "deploy", detail: expect.objectContaining({ status: "abandoned" }) }),
    ]);
    expect(await verifyChain(auditLog.entries())).toMatchObject({ ok: true, checked: 2 });
  });

  it("the same message to two instances runs once", async () => {
    const { all } = await instances(["a", "b"], { MODE: "bot" });
    for (const p of all) p.say("Ev7", "!deploy prod");
    await Promise.all(all.map((p) => p.waitFor("handled")));
    expect(all.flatMap((p) => p.events.filter((e) => e.ev === "running"))).toHaveLength(1);
    expect(all.flatMap((p) => p.events.filter((e) => e.ev === "sent"))).toHaveLength(1);
  });

  it("leader cut off from the database (not from chat): it drops its connection before the standby's lease begins, nothing runs unaudited, and a command it received while cut off is refused after the heal", async () => {
    const url = await freshDatabase();
    const proxy = await TcpProxy.start(postgres().port);
    onCleanup(() => proxy.close());
    // The leader fences 1.2 s before its lease can end (the default margin is TTL / 5 = 0.6 s): a machine loaded by
    // other work may not run its timer for longer than that, and the order is what is asserted here.
    const env = { TTL_MS: TTL, FENCE_MARGIN_MS: "1200", POLL_MS: "300", MODE: "bot", LEASED: "1" };
    // a reaches PostgreSQL only through the proxy; b directly. a starts first and holds the connection.
    const a = new InstanceProcess("a", {
      ...env,
      DATABASE_URL: url.replace(`:${postgres().port}/`, `:${proxy.port}/`),
    });
    await a.waitFor("connected");
    const b = new InstanceProcess("b", { ...env, DATABASE_URL: url });
    await b.waitFor("started");
    a.say("@irc Ev1", "!deploy before");
    await a.waitFor("handled", (e) => e.id === "Ev1");
    expect(a.events.filter((e) => e.ev === "running").map((e) => e.env)).toEqual(["before"]);

    expect(connectedOf([a, b])).toEqual([a]);
    const oldToken = a.events.filter((e) => e.ev === "lead").at(-1)!.token as number;
    const cutAt = Date.now();
    proxy.cut();
    // A command reaches the leader's chat connection while it cannot reach the database.
    a.say("@irc Ev2", "!deploy during-the-cut");
    const lose = await a.waitFor("lose", (e) => (e.at as number) >= cutAt);
    expect(lose).toMatchObject({ reason: "fenced", token: oldToken });
    const disconnected = await a.waitFor("disconnected", (e) => (e.at as number) >= cutAt);
    await b.waitFor("connected");
    const newToken = b.events.find((e) => e.ev === "lead")!.token as number;
    expect(newToken).toBe(oldToken + 1);
    const { pool } = await open(url);
    const { rows } = await pool.query<{ holder: string; token: string; acquired: number }>(
      "SELECT holder, token, (extract(epoch FROM acquired_at) * 1000)::float8 AS acquired FROM leases WHERE resource = 'irc:test'",
    );
    expect(rows).toEqual([{ holder: "b", token: String(newToken), acquired: expect.any(Number) }]);
    // Same machine, same clock: the old leader had fenced itself and closed its connection before the new lease began.
    expect(lose.at as number).toBeLessThan(rows[0]!.acquired);
    expect(disconnected.at as number).toBeLessThan(rows[0]!.acquired);
    // While cut off it ran nothing: the command could not be claimed and audited, so it did not start.
    expect(a.events.filter((e) => e.ev === "running" && (e.at as number) >= cutAt)).toEqual([]);

    b.say("@irc Ev3", "!deploy on-the-new-leader");
    await b.waitFor("handled", (e) => e.id === "Ev3");
    expect(b.events.filter((e) => e.ev === "running").map((e) => e.env)).toEqual(["on-the-new-leader"]);

    proxy.heal();
    // Reconnected to the database, the old leader stays a standby: b keeps the lease.
    // The command held in the cut reaches the database once the bytes flow: its claim carries the lease term it was
    // received under (a's old token), which b's takeover ended, so it is refused — not claimed, not audited, not run
    // on an instance that can no longer answer on the connection it came in on — and logged.
    await a.waitFor("handled", (e) => e.id === "Ev2", 60_000);
    await new Promise((r) => setTimeout(r, 1500));
    expect(connectedOf([a, b])).toEqual([b]);
    const { rows: after } = await pool.query("SELECT holder, token FROM leases WHERE resource = 'irc:test'");
    expect(after).toEqual([{ holder: "b", token: String(newToken) }]);
    expect([a, b].flatMap((p) => p.events.filter((e) => e.ev === "running" && e.env === "during-the-cut"))).toEqual([]);
    // Nothing of it is claimed, nor audited: the claims and `admitted` entries are those of the two commands run.
    const claimed = await pool.query("SELECT message_id, instance FROM inbound ORDER BY message_id");
    expect(claimed.rows).toEqual([
      { message_id: "Ev1", instance: "a" },
      { message_id: "Ev3", instance: "b" },
    ]);
    const { auditLog, ran } = await expectEveryRunAudited(url, [a, b]);
    expect(ran).toHaveLength(2);
    expect(await auditLog.query({ event: "admitted" })).toHaveLength(2);
    // It is in the log, with the term it was received under.
    const refused = a.events.filter((e) => e.ev === "claim-refused");
    expect(refused).toEqual([
      expect.objectContaining({ id: "Ev2", network: "irc", resource: "irc:test", token: oldToken }),
    ]);
    // Nothing was said about it: the old leader has no connection, and no internal error was raised.
    expect(a.events.filter((e) => (e.ev === "sent" || e.ev === "error") && (e.at as number) >= cutAt)).toEqual([]);
  }, 120_000);

  it("database down longer than the TTL: the connection drops, a command meanwhile is answered with an error and not run; then one leader, the chain verifies", async () => {
    const { url, all } = await instances(["a", "b"], { MODE: "bot", LEASED: "1" });
    await until(() => connectedOf(all).length === 1, "one instance connected");
    const [leader] = connectedOf(all);
    leader!.say("@irc Ev1", "!deploy before");
    await leader!.waitFor("handled", (e) => e.id === "Ev1");

    const haltedAt = Date.now();
    await postgres().halt();
    // Fail closed: the leader cannot renew its lease, so it fences itself and closes the chat connection.
    expect((await leader!.waitFor("lose")).reason).toBe("fenced");
    await leader!.waitFor("disconnected");
    // A command delivered to both instances meanwhile (Slack retries to any connection): answered, not run.
    for (const p of all) p.say("Ev2", "!deploy while-down");
    for (const p of all) {
      await p.waitFor("handled", (e) => e.id === "Ev2");
      const answer = p.events.filter((e) => e.ev === "sent" && e.network === "slack").at(-1);
      expect(answer?.text, `${p.name}'s answer`).toMatch(/internal error \(reference [\w-]+\)/);
    }
    expect(all.flatMap((p) => p.events.filter((e) => e.ev === "running" && e.env === "while-down"))).toEqual([]);
    // Down for longer than a lease: every lease has lapsed by the time it is back.
    await until(() => Date.now() > haltedAt + 2 * Number(TTL), "the database to have been down for two TTLs");
    expect(connectedOf(all)).toEqual([]);
    await postgres().start();

    await until(() => connectedOf(all).length === 1, "one instance connected again", 30_000);
    await new Promise((r) => setTimeout(r, 1500));
    expect(connectedOf(all)).toHaveLength(1);
    const [next] = connectedOf(all);
    const { pool } = await open(url);
    const { rows } = await pool.query<{ holder: string; token: string }>(
      "SELECT holder, token FROM leases WHERE resource = 'irc:test' AND expires_at > now()",
    );
    expect(rows).toEqual([{ holder: next!.name, token: "2" }]);
    next!.say("@irc Ev3", "!deploy after");
    await next!.waitFor("handled", (e) => e.id === "Ev3");
    const { ran } = await expectEveryRunAudited(url, all);
    expect(ran).toHaveLength(2);
    // The command sent while the database was down was never claimed: nothing of it was run or is owed.
    const claimed = await pool.query("SELECT message_id FROM inbound ORDER BY message_id");
    expect(claimed.rows).toEqual([{ message_id: "Ev1" }, { message_id: "Ev3" }]);
  }, 120_000);

  it("four writers for 30 s: one chain, no gaps in seq", async () => {
    const { url, all } = await instances(["w1", "w2", "w3", "w4"], { MODE: "writer", SECONDS: "30" });
    for (const p of all) expect(p.has("appended")).toBe(false); // all four were writing at once
    const counts = await Promise.all(
      all.map(async (p) => (await p.waitFor("appended", () => true, 60_000)).count as number),
    );
    const { auditLog, pool } = await open(url);
    const total = counts.reduce((a, b) => a + b, 0);
    expect(await verifyChain(auditLog.entries())).toMatchObject({ ok: true, checked: total });
    const { rows } = await pool.query("SELECT count(*)::int AS n, max(seq)::int AS max FROM audit");
    expect(rows[0]).toEqual({ n: total, max: total });
  }, 90_000);

  it("database restart: the lease is kept (same token), appends fail or go through cleanly, the chain verifies", async () => {
    // A restart on a loaded machine can take longer than the 8 s a 10 s lease may go without renewal (then the
    // leader fences itself, as it must); with 30 s the test is about surviving a restart, not about its speed.
    const { url, all } = await instances(["a", "b"], { MODE: "writer", SECONDS: "8", TTL_MS: "30000" });
    await until(() => leaderOf(all).length === 1, "a leader");
    const [leader] = leaderOf(all);
    await new Promise((r) => setTimeout(r, 1000));
    await postgres().restart();
    const reports = await Promise.all(all.map((p) => p.waitFor("appended", () => true, 60_000)));
    const { auditLog, pool } = await open(url);
    const { rows } = await pool.query("SELECT holder, token FROM leases WHERE resource = 'irc:test'");
    expect(rows).toEqual([{ holder: leader!.name, token: "1" }]);
    expect(all.flatMap((p) => p.events.filter((e) => e.ev === "lose"))).toEqual([]);
    const appended = reports.reduce((sum, r) => sum + (r.count as number), 0);
    const result = await verifyChain(auditLog.entries());
    expect(result.ok).toBe(true);
    // An append whose commit's answer was lost in the restart may be stored too: never fewer, never a gap.
    expect(result.checked).toBeGreaterThanOrEqual(appended);
  }, 90_000);

  it("a head-lock holder frozen inside its transaction: the others append again after idle_in_transaction_session_timeout", async () => {
    const { url, all } = await instances(["holder"], { MODE: "hold", IDLE_TX_MS: "1500" });
    const [holder] = all as [InstanceProcess];
    await holder.waitFor("holding");
    holder.signal("SIGSTOP");
    const { auditLog } = await open(url);
    const [entry] = await auditLog.append([{ event: "plugin", detail: { after: "the frozen holder" } }]);
    expect(entry!.seq).toBe(1);
    expect(await verifyChain(auditLog.entries())).toMatchObject({ ok: true, checked: 1 });
    holder.signal("SIGCONT");
  }, 60_000);
});
