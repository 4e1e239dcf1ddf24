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
