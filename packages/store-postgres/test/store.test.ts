import { until } from "@switchboard/test-servers";
import { runStoreContract } from "@switchboard/testing";
import { describe, expect, it } from "vitest";
import { freshDatabase, open, sleep, usePostgres } from "./helpers.js";

usePostgres();

// The same Store contract as core's MemoryStore and store-sqlite (packages/testing/src/store-contract.ts).
runStoreContract("PostgresStore", async () => (await open()).store);

describe("PostgresStore on a shared database", () => {
  it("shares data and locks between instances", async () => {
    const url = await freshDatabase();
    const a = await open(url);
    const b = await open(url);
    await a.store.set("plugin", "config", { retries: 3 });
    expect(await b.store.get("plugin", "config")).toEqual({ retries: 3 });
    expect((await a.store.acquireLock({ name: "x", owner: "alice", reason: "", ttlMs: 60_000 })).acquired).toBe(true);
    const refused = await b.store.acquireLock({ name: "x", owner: "bob", reason: "", ttlMs: 60_000 });
    expect(refused).toMatchObject({ acquired: false, holder: { owner: "alice" } });
    expect(await b.store.releaseLock("x", "alice")).toBe(true);
    expect((await b.store.acquireLock({ name: "x", owner: "bob", reason: "", ttlMs: 60_000 })).acquired).toBe(true);
  });

  it("lets exactly one of many concurrent takers win a lock", async () => {
    const url = await freshDatabase();
    const instances = await Promise.all([open(url), open(url), open(url), open(url)]);
    const results = await Promise.all(
      instances.flatMap((instance, i) =>
        [0, 1, 2].map((j) =>
          instance.store.acquireLock({ name: "deploy", owner: `o${i}-${j}`, reason: "", ttlMs: 60_000 }),
        ),
      ),
    );
    expect(results.filter((r) => r.acquired)).toHaveLength(1);
  });

  it("times locks on the database's clock", async () => {
    const { store, pool } = await open();
    const taken = await store.acquireLock({ name: "x", owner: "alice", reason: "", ttlMs: 300 });
    if (!taken.acquired) throw new Error("expected the lock");
    const { rows } = await pool.query<{ now: Date }>("SELECT now() AS now");
    expect(Math.abs(taken.lock.acquiredAt.getTime() - rows[0]!.now.getTime())).toBeLessThan(1000);
    await sleep(400);
    expect(await store.listLocks()).toEqual([]);
  });

  it("rejects values without a JSON encoding and invalid ttls, storing nothing", async () => {
    const { store } = await open();
    await expect(store.set("ns", "k", undefined)).rejects.toThrow(TypeError);
    await expect(store.acquireLock({ name: "x", owner: "a", reason: "", ttlMs: Number.NaN })).rejects.toThrow(
      RangeError,
    );
    expect(await store.list("ns")).toEqual([]);
    expect(await store.listLocks()).toEqual([]);
  });
});

// Core's StoreChanges capability: a write to a watched namespace notifies in its own transaction.
describe("PostgresStoreChanges", () => {
  it("tells a watcher on another instance of a write, once it is visible; a rolled-back write or an unwatched namespace tells nobody", async () => {
    const url = await freshDatabase();
    const a = await open(url);
    const b = await open(url);
    const seen: unknown[] = [];
    a.store.changes!.watch("role-grants", () => {
      void a.store.get("role-grants", "bob").then((value) => seen.push(value ?? null));
    });
    // The watch in place and the LISTEN connection up each read once.
    await until(() => seen.length >= 2, "the first reads");

    // A raw listener on b sees what the trigger sends, in commit order.
    const listener = await b.pool.connect();
    const payloads: string[] = [];
    listener.on("notification", (m) => payloads.push(m.payload ?? ""));
    await listener.query("LISTEN switchboard_kv");
    try {
      const raw = await b.pool.connect();
      await raw.query("BEGIN");
      await raw.query(`INSERT INTO kv (namespace, key, value) VALUES ('"role-grants"', '"eve"', '["x"]')`);
      await raw.query("ROLLBACK");
      raw.release();
      await b.store.set("plugin", "k", 1);
      await b.store.set("role-grants", "bob", ["deployer"]);
      await until(() => seen.some((v) => JSON.stringify(v) === '["deployer"]'), "a to read bob's grant");
      await until(() => payloads.length > 0, "the notice");
      expect(payloads).toEqual(['"role-grants"']);
      await b.store.delete("role-grants", "bob");
      await until(() => seen.at(-1) === null, "a to read the delete");
      expect(payloads).toEqual(['"role-grants"', '"role-grants"']);
    } finally {
      listener.release();
    }
  });

  it("after its LISTEN connection is cut, it reconnects and tells every watcher to read again", async () => {
    const url = await freshDatabase();
    const a = await open(url, { applicationName: "changes-a" });
    let told = 0;
    a.store.changes!.watch("role-grants", () => told++);
    await until(() => told >= 2, "the first reads");
    const before = told;
    await a.pool.query("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE query = 'LISTEN switchboard_kv'");
    await until(() => told > before, "a read after the reconnect");
    // Still listening: a write is heard.
    const b = await open(url);
    const after = told;
    await b.store.set("role-grants", "carol", ["ops"]);
    await until(() => told > after, "the notice after the reconnect");
  });
});
