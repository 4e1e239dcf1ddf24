import { TcpProxy, until } from "@switchboard/test-servers";
import { describe, expect, it } from "vitest";
import { LeaseListener } from "../src/index.js";
import { type Lease, LeaseElector, LeaseLostError } from "../src/lease-elector.js";
import { freshDatabase, onCleanup, open, usePostgres } from "./helpers.js";

const postgres = usePostgres();

type Event = { who: string; what: "lead" | "lost" | "fenced" | "released"; token: number };

/** An elector on its own storage (as a separate instance would be), recording what happens to it. */
async function instance(
  url: string,
  who: string,
  events: Event[],
  extra: { listen?: boolean; pollEveryMs?: number; ttlMs?: number } = {},
) {
  const storage = await open(url, { instance: who });
  let listener: LeaseListener | undefined;
  if (extra.listen) {
    listener = new LeaseListener(storage.connect);
    await listener.start();
    onCleanup(() => listener!.close());
  }
  const elector = new LeaseElector({
    pool: storage.pool,
    resource: "irc:libera",
    holder: who,
    ttlMs: extra.ttlMs ?? 2_000,
    pollEveryMs: extra.pollEveryMs ?? 200,
    listener,
    onLead: (lease: Lease) => {
      events.push({ who, what: "lead", token: lease.token });
    },
    onLose: (lease: Lease, reason) => {
      events.push({ who, what: reason, token: lease.token });
    },
  });
  onCleanup(() => elector.stop());
  return { storage, elector };
}

const leaders = (events: Event[]) => {
  const now = new Map<string, number>();
  for (const e of events)
    if (e.what === "lead") now.set(e.who, e.token);
    else now.delete(e.who);
  return [...now.keys()];
};

describe("LeaseElector", () => {
  it("elects exactly one leader among four instances started at once", async () => {
    const url = await freshDatabase();
    const events: Event[] = [];
    const all = await Promise.all(["a", "b", "c", "d"].map((who) => instance(url, who, events)));
    await Promise.all(all.map(({ elector }) => elector.start()));
    await until(() => leaders(events).length === 1, "a leader");
    expect(all.filter(({ elector }) => elector.leading)).toHaveLength(1);
    expect(events.filter((e) => e.what === "lead")).toEqual([expect.objectContaining({ token: 1 })]);
  });

  it("cut off from the database, fences itself on its own clock in every round (the renewal in flight hangs)", async () => {
    // Node fires a timer up to a couple of milliseconds before performance.now() reaches its due time (ms rounding,
    // the loop's cached clock). A fence timer that finds its deadline not yet passed must wait out the rest, not
    // give up: the renewal that would check again hangs in the partition until TCP gives up.
    const url = await freshDatabase();
    const proxy = await TcpProxy.start(postgres().port);
    onCleanup(() => proxy.close());
    const events: Event[] = [];
    const { elector } = await instance(url.replace(`:${postgres().port}/`, `:${proxy.port}/`), "a", events, {
      ttlMs: 600,
    });
    await elector.start();
    for (let round = 1; round <= 10; round++) {
      await until(() => elector.leading, `round ${round}: a leads`, 15_000);
      const before = events.length;
      proxy.cut();
      await until(
        () => events.slice(before).some((e) => e.what === "fenced"),
        `round ${round}: a fenced itself while cut off`,
        15_000,
      );
      expect(elector.leading).toBe(false);
      proxy.heal();
    }
  }, 240_000);

  it("keeps the lease by renewing it past several TTLs", async () => {
    const url = await freshDatabase();
    const events: Event[] = [];
    const a = await instance(url, "a", events, { ttlMs: 500 });
    const b = await instance(url, "b", events, { ttlMs: 500, pollEveryMs: 50 });
    await a.elector.start();
    await b.elector.start();
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    expect(events).toEqual([{ who: "a", what: "lead", token: 1 }]);
    expect(a.elector.leading).toBe(true);
  });

  it("a transaction open across a database restart fails its next query; the process goes on and so does the pool", async () => {
    const { pool } = await open(await freshDatabase());
    // Checked out (as withLease and the reaper hold a client): pg-pool does not listen for its errors then.
    const client = await pool.connect();
    await client.query("BEGIN");
    await postgres().restart();
    await expect(client.query("SELECT 1")).rejects.toThrow();
    client.release(true);
    await until(
      async () => (await pool.query("SELECT 1 AS one").catch(() => undefined))?.rows[0]?.one === 1,
      "the pool to reconnect",
      20_000,
    );
  });

  it("on stop, releases with NOTIFY: a standby that polls once a minute leads at once, with a higher token", async () => {
    const url = await freshDatabase();
    const events: Event[] = [];
    const a = await instance(url, "a", events);
    const b = await instance(url, "b", events, { listen: true, pollEveryMs: 60_000 });
    await a.elector.start();
    await b.elector.start();
    expect(leaders(events)).toEqual(["a"]);
    await a.elector.stop();
    await until(() => b.elector.leading, "the standby to lead", 10_000);
    expect(events).toEqual([
      { who: "a", what: "lead", token: 1 },
      { who: "a", what: "released", token: 1 },
      { who: "b", what: "lead", token: 2 },
    ]);
  });

  it("checks the token in the same transaction: a stale leader's write fails and is not committed", async () => {
    const url = await freshDatabase();
    const events: Event[] = [];
    const a = await instance(url, "a", events, { ttlMs: 10_000 });
    const b = await instance(url, "b", events, { ttlMs: 10_000, pollEveryMs: 50 });
    await a.elector.start();
    await a.storage.pool.query("CREATE TABLE topic (room text PRIMARY KEY, text text)");
    await a.elector.withLease((client) => client.query("INSERT INTO topic VALUES ('#ops', 'first')"));
    // The lease runs out in the database while "a" does not notice (what a pause of the process looks like to
    // the others), and "b" takes over.
    await a.storage.pool.query("UPDATE leases SET expires_at = now() - interval '1 ms'");
    await b.elector.start();
    await until(() => b.elector.leading, "b to lead");
    expect(a.elector.leading).toBe(true); // "a" has not found out yet: its renewal is not due
    await expect(
      a.elector.withLease((client) => client.query("UPDATE topic SET text = 'stale'")),
    ).rejects.toBeInstanceOf(LeaseLostError);
    await b.elector.withLease((client) => client.query("UPDATE topic SET text = 'second'"));
    const { rows } = await a.storage.pool.query("SELECT text FROM topic");
    expect(rows).toEqual([{ text: "second" }]);
    expect(events.filter((e) => e.what === "lead")).toEqual([
      { who: "a", what: "lead", token: 1 },
      { who: "b", what: "lead", token: 2 },
    ]);
    await until(() => !a.elector.leading, "a to find out at its next renewal");
    expect(events).toContainEqual({ who: "a", what: "lost", token: 1 });
  });

  it("survives a database restart: same holder, same token", async () => {
    const url = await freshDatabase();
    const events: Event[] = [];
    // A TTL well above the restart time (seconds on a loaded machine): the lease must outlive the restart.
    const a = await instance(url, "a", events, { ttlMs: 30_000 });
    const b = await instance(url, "b", events, { ttlMs: 30_000 });
    await a.elector.start();
    await b.elector.start();
    await postgres().restart();
    await until(
      async () => (await a.elector.withLease(async (_client, lease) => lease.token).catch(() => 0)) === 1,
      "the leader to write under its lease again",
      20_000,
    );
    expect(events).toEqual([{ who: "a", what: "lead", token: 1 }]);
    expect(a.elector.leading).toBe(true);
  });

  it("on stop, releases with NOTIFY: a standby that polls once a minute leads at once, with a higher token", async () => {
    const url = await freshDatabase();
    const events: Event[] = [];
    const a = await instance(url, "a", events);
    const b = await instance(url, "b", events, { listen: true, pollEveryMs: 60_000 });
    await a.elector.start();
    await b.elector.start();
    expect(leaders(events)).toEqual(["a"]);
    await a.elector.stop();
    await until(() => b.elector.leading, "the standby to lead", 10_000);
    expect(events).toEqual([
      { who: "a", what: "lead", token: 1 },
      { who: "a", what: "released", token: 1 },
      { who: "b", what: "lead", token: 2 },
    ]);
  });

  it("checks the token in the same transaction: a stale leader's write fails and is not committed", async () => {
    const url = await freshDatabase();
    const events: Event[] = [];
    const a = await instance(url, "a", events, { ttlMs: 10_000 });
    const b = await instance(url, "b", events, { ttlMs: 10_000, pollEveryMs: 50 });
    await a.elector.start();
    await a.storage.pool.query("CREATE TABLE topic (room text PRIMARY KEY, text text)");
    await a.elector.withLease((client) => client.query("INSERT INTO topic VALUES ('#ops', 'first')"));
    // The lease runs out in the database while "a" does not notice (what a pause of the process looks like to
    // the others), and "b" takes over.
    await a.storage.pool.query("UPDATE leases SET expires_at = now() - interval '1 ms'");
    await b.elector.start();
    await until(() => b.elector.leading, "b to lead");
    expect(a.elector.leading).toBe(true); // "a" has not found out yet: its renewal is not due
    await expect(
      a.elector.withLease((client) => client.query("UPDATE topic SET text = 'stale'")),
    ).rejects.toBeInstanceOf(LeaseLostError);
    await b.elector.withLease((client) => client.query("UPDATE topic SET text = 'second'"));
    const { rows } = await a.storage.pool.query("SELECT text FROM topic");
    expect(rows).toEqual([{ text: "second" }]);
    expect(events.filter((e) => e.what === "lead")).toEqual([
      { who: "a", what: "lead", token: 1 },
      { who: "b", what: "lead", token: 2 },
    ]);
    await until(() => !a.elector.leading, "a to find out at its next renewal");
    expect(events).toContainEqual({ who: "a", what: "lost", token: 1 });
  });

  it("survives a database restart: same holder, same token", async () => {
    const url = await freshDatabase();
    const events: Event[] = [];
    // A TTL well above the restart time (seconds on a loaded machine): the lease must outlive the restart.
    const a = await instance(url, "a", events, { ttlMs: 30_000 });
    const b = await instance(url, "b", events, { ttlMs: 30_000 });
    await a.elector.start();
    await b.elector.start();
    await postgres().restart();
    await a.elector.withLease(async () => undefined).catch(() => undefined);
    await until(
      async () => (await a.elector.withLease(async (_client, lease) => lease.token).catch(() => 0)) === 1,
      "the leader to write under its lease again",
      20_000,
    );
    expect(events).toEqual([{ who: "a", what: "lead", token: 1 }]);
  });
});

describe("LeaseLostError", () => {
  it("is what withLease throws without the lease", async () => {
    const url = await freshDatabase();
    const { elector } = await instance(url, "a", []);
    await expect(elector.withLease(async () => 1)).rejects.toBeInstanceOf(LeaseLostError);
  });
});
