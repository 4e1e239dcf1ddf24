import { MemoryStore } from "@switchboard/core";
import { runStoreContract } from "@switchboard/testing";
import { describe, expect, it } from "vitest";
import { openSqlite } from "../src/index.js";
import { openDatabase } from "../src/open-database.js";
import { SqliteStore } from "../src/sqlite-store.js";
import { onCleanup, tempDbPath } from "./helpers.js";

// The Store contract (shared with store-postgres, in @switchboard/testing), against each implementation here.
runStoreContract("MemoryStore", () => new MemoryStore());
runStoreContract("SqliteStore", () => {
  const db = openDatabase(tempDbPath());
  onCleanup(() => db.close());
  return new SqliteStore(db);
});

describe("SqliteStore on disk", () => {
  it("keeps data and locks across closing and reopening the file", async () => {
    const path = tempDbPath();
    const first = openSqlite(path);
    await first.store.set("plugin", "config", { retries: 3 });
    await first.store.set("plugin", "other", [1, 2]);
    const taken = await first.store.acquireLock({ name: "deploy", owner: "alice", reason: "r", ttlMs: 60_000 });
    first.close();

    const second = openSqlite(path);
    onCleanup(second.close);
    expect(await second.store.get("plugin", "config")).toEqual({ retries: 3 });
    expect(await second.store.list("plugin")).toEqual([
      ["config", { retries: 3 }],
      ["other", [1, 2]],
    ]);
    if (!taken.acquired) throw new Error("expected the lock");
    expect(await second.store.listLocks()).toEqual([taken.lock]);
    const retry = await second.store.acquireLock({ name: "deploy", owner: "bob", reason: "r", ttlMs: 1000 });
    expect(retry).toEqual({ acquired: false, holder: taken.lock });
  });

  it("a claim made on one connection is seen by another on the same file", async () => {
    const path = tempDbPath();
    const a = openSqlite(path);
    const b = openSqlite(path);
    onCleanup(a.close);
    onCleanup(b.close);
    const due = new Date("2026-06-01T09:00:00Z");
    expect(await a.store.claimOccurrence("schedule/s1", due, "a")).toBe(true);
    expect(await b.store.claimOccurrence("schedule/s1", due, "b")).toBe(false);
    expect(await b.store.claimOccurrence("schedule/s1", new Date("2026-06-01T09:01:00Z"), "b")).toBe(true);
    expect(await a.store.claimOccurrence("schedule/s1", new Date("2026-06-01T09:01:00Z"), "a")).toBe(false);
  });

  it("shares locks between connections (and so between processes)", async () => {
    const path = tempDbPath();
    const a = openSqlite(path);
    const b = openSqlite(path);
    onCleanup(a.close);
    onCleanup(b.close);
    expect((await a.store.acquireLock({ name: "x", owner: "alice", reason: "", ttlMs: 60_000 })).acquired).toBe(true);
    const result = await b.store.acquireLock({ name: "x", owner: "bob", reason: "", ttlMs: 60_000 });
    expect(result.acquired).toBe(false);
    expect(await b.store.releaseLock("x", "bob")).toBe(false);
    expect(await b.store.releaseLock("x", "alice")).toBe(true);
    expect((await a.store.acquireLock({ name: "x", owner: "bob", reason: "", ttlMs: 60_000 })).acquired).toBe(true);
  });

  it("rejects values without a JSON encoding and invalid ttls", async () => {
    const { store, close } = openSqlite(tempDbPath());
    onCleanup(close);
    await expect(store.set("ns", "k", undefined)).rejects.toThrow(TypeError);
    await expect(store.set("ns", "k", () => 1)).rejects.toThrow(TypeError);
    await expect(store.acquireLock({ name: "x", owner: "a", reason: "", ttlMs: Number.NaN })).rejects.toThrow(
      RangeError,
    );
    expect(await store.list("ns")).toEqual([]);
  });

  it("only closes a database it was asked to own", async () => {
    const db = openDatabase(tempDbPath());
    onCleanup(() => db.close());
    await new SqliteStore(db).close();
    expect(db.open).toBe(true);
    await new SqliteStore(db, { closeDatabase: true }).close();
    expect(db.open).toBe(false);
  });
});
