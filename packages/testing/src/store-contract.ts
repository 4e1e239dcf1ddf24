/**
 * The Store contract: what every implementation of core's `Store` does (core's MemoryStore, store-sqlite,
 * store-postgres). Each store package runs it against itself with a fresh, empty store per test.
 * @module
 */
import type { Store } from "@switchboard/core";
import { describe, expect, it } from "vitest";

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Runs the Store contract suite against `make` (called once per test; it must return an empty store, and may be
 * async, e.g. to create a database).
 */
export function runStoreContract(name: string, make: () => Store | Promise<Store>): void {
  describe(`Store behaviour: ${name}`, () => {
    describe("key/value", () => {
      it("gets what was set, and undefined for a missing key", async () => {
        const store = await make();
        expect(await store.get("ns", "missing")).toBeUndefined();
        await store.set("ns", "a", { n: 1, list: [1, "two", null], nested: { ok: true } });
        expect(await store.get("ns", "a")).toEqual({ n: 1, list: [1, "two", null], nested: { ok: true } });
        await store.set("ns", "s", "text");
        await store.set("ns", "zero", 0);
        await store.set("ns", "null", null);
        expect(await store.get("ns", "s")).toBe("text");
        expect(await store.get("ns", "zero")).toBe(0);
        expect(await store.get("ns", "null")).toBeNull();
      });

      it("overwrites a value and copies values through JSON", async () => {
        const store = await make();
        const value = { n: 1 };
        await store.set("ns", "k", value);
        value.n = 2;
        expect(await store.get("ns", "k")).toEqual({ n: 1 });
        const read = await store.get<{ n: number }>("ns", "k");
        read!.n = 3;
        expect(await store.get("ns", "k")).toEqual({ n: 1 });
        await store.set("ns", "k", { n: 4 });
        expect(await store.get("ns", "k")).toEqual({ n: 4 });
      });

      it("keeps namespaces apart", async () => {
        const store = await make();
        await store.set("one", "k", 1);
        await store.set("two", "k", 2);
        expect(await store.get("one", "k")).toBe(1);
        expect(await store.get("two", "k")).toBe(2);
        expect(await store.list("one")).toEqual([["k", 1]]);
      });

      it("sets a key only when it has no value, reporting whether this call set it", async () => {
        const store = await make();
        const value = { by: "alice" };
        expect(await store.setIfAbsent("ns", "k", value)).toBe(true);
        value.by = "mallory";
        expect(await store.get("ns", "k")).toEqual({ by: "alice" });
        expect(await store.setIfAbsent("ns", "k", { by: "bob" })).toBe(false);
        expect(await store.get("ns", "k")).toEqual({ by: "alice" });
        expect(await store.setIfAbsent("other", "k", {})).toBe(true);
        expect(await store.list("ns")).toEqual([["k", { by: "alice" }]]);
        expect(await store.delete("ns", "k")).toBe(true);
        expect(await store.setIfAbsent("ns", "k", "again")).toBe(true);
        expect(await store.get("ns", "k")).toBe("again");
        await expect(store.setIfAbsent("ns", "fn", () => 1)).rejects.toThrow(TypeError);
      });

      it("gives a key set by many concurrent calls to exactly one of them, and deletes it for exactly one", async () => {
        const store = await make();
        for (let round = 0; round < 20; round++) {
          const key = `race\u0000${round}`;
          const set = await Promise.all(Array.from({ length: 8 }, (_, i) => store.setIfAbsent("ns", key, i)));
          expect(set.filter(Boolean)).toHaveLength(1);
          expect(await store.get("ns", key)).toBe(set.indexOf(true));
          const deleted = await Promise.all(Array.from({ length: 8 }, () => store.delete("ns", key)));
          expect(deleted.filter(Boolean)).toHaveLength(1);
        }
      });

      it("deletes, reporting whether the key existed", async () => {
        const store = await make();
        await store.set("ns", "k", 1);
        expect(await store.delete("ns", "k")).toBe(true);
        expect(await store.get("ns", "k")).toBeUndefined();
        expect(await store.delete("ns", "k")).toBe(false);
        expect(await store.delete("other", "k")).toBe(false);
      });

      it("lists a namespace sorted by key, optionally by prefix", async () => {
        const store = await make();
        for (const key of ["b/2", "a", "b/1", "B", "c", "b", "ba"]) await store.set("ns", key, key.toUpperCase());
        await store.set("elsewhere", "b/3", "X");
        expect(await store.list("ns")).toEqual([
          ["B", "B"],
          ["a", "A"],
          ["b", "B"],
          ["b/1", "B/1"],
          ["b/2", "B/2"],
          ["ba", "BA"],
          ["c", "C"],
        ]);
        expect((await store.list("ns", "b/")).map(([k]) => k)).toEqual(["b/1", "b/2"]);
        expect((await store.list("ns", "b")).map(([k]) => k)).toEqual(["b", "b/1", "b/2", "ba"]);
        expect(await store.list("ns", "zzz")).toEqual([]);
        expect(await store.list("empty")).toEqual([]);
      });

      it("treats prefix characters literally (no wildcards)", async () => {
        const store = await make();
        for (const key of ["a*1", "ab", "a?", "a[x]", "ax", "a%", "a_", "a]"]) await store.set("ns", key, true);
        expect((await store.list("ns", "a*")).map(([k]) => k)).toEqual(["a*1"]);
        expect((await store.list("ns", "a?")).map(([k]) => k)).toEqual(["a?"]);
        expect((await store.list("ns", "a[")).map(([k]) => k)).toEqual(["a[x]"]);
        expect((await store.list("ns", "a]")).map(([k]) => k)).toEqual(["a]"]);
        expect((await store.list("ns", "a%")).map(([k]) => k)).toEqual(["a%"]);
        expect((await store.list("ns", "a_")).map(([k]) => k)).toEqual(["a_"]);
      });

      it("handles NUL characters in keys and prefixes", async () => {
        const store = await make();
        for (const key of ["a", "a\u0000", "a\u0000b", "a\u0001", "ab"]) await store.set("ns", key, key.length);
        expect((await store.list("ns", "a\u0000")).map(([k]) => k)).toEqual(["a\u0000", "a\u0000b"]);
        expect((await store.list("ns", "a")).map(([k]) => k)).toEqual(["a", "a\u0000", "a\u0000b", "a\u0001", "ab"]);
        expect(await store.get("ns", "a\u0000b")).toBe(3);
      });

      it("handles unicode keys and values", async () => {
        const store = await make();
        await store.set("ns", "clé-🔑", { text: "héllo wörld 👋" });
        expect(await store.get("ns", "clé-🔑")).toEqual({ text: "héllo wörld 👋" });
        expect(await store.list("ns", "clé")).toEqual([["clé-🔑", { text: "héllo wörld 👋" }]]);
      });
    });

    describe("locks", () => {
      const request = { name: "deploy:prod", owner: "alice", reason: "release 1.2", ttlMs: 60_000 };

      it("acquires a free lock", async () => {
        const store = await make();
        const before = Date.now();
        const result = await store.acquireLock(request);
        expect(result.acquired).toBe(true);
        if (!result.acquired) return;
        expect(result.lock).toMatchObject({ name: "deploy:prod", owner: "alice", reason: "release 1.2" });
        expect(result.lock.acquiredAt.getTime()).toBeGreaterThanOrEqual(before);
        expect(result.lock.expiresAt.getTime()).toBe(result.lock.acquiredAt.getTime() + 60_000);
      });

      it("refuses a held lock and names the holder", async () => {
        const store = await make();
        await store.acquireLock(request);
        const result = await store.acquireLock({ ...request, owner: "bob", reason: "hotfix" });
        expect(result.acquired).toBe(false);
        if (result.acquired) return;
        expect(result.holder).toMatchObject({ name: "deploy:prod", owner: "alice", reason: "release 1.2" });
        expect(result.holder.expiresAt).toBeInstanceOf(Date);
      });

      it("renews for the same owner, keeping acquiredAt", async () => {
        const store = await make();
        const first = await store.acquireLock(request);
        await sleep(5);
        const again = await store.acquireLock({ ...request, reason: "still releasing", ttlMs: 120_000 });
        expect(first.acquired && again.acquired).toBe(true);
        if (!first.acquired || !again.acquired) return;
        expect(again.lock.acquiredAt).toEqual(first.lock.acquiredAt);
        expect(again.lock.expiresAt.getTime()).toBeGreaterThan(first.lock.expiresAt.getTime());
        expect(again.lock.reason).toBe("still releasing");
        expect(await store.listLocks()).toEqual([again.lock]);
      });

      it("lets someone else take over an expired lock", async () => {
        const store = await make();
        const old = await store.acquireLock({ ...request, ttlMs: 20 });
        await sleep(50);
        expect(await store.listLocks()).toEqual([]);
        const result = await store.acquireLock({ ...request, owner: "bob" });
        expect(result.acquired).toBe(true);
        if (!result.acquired || !old.acquired) return;
        expect(result.lock.owner).toBe("bob");
        expect(result.lock.acquiredAt.getTime()).toBeGreaterThan(old.lock.acquiredAt.getTime());
      });

      it("starts a fresh lease when the owner retakes its own expired lock", async () => {
        const store = await make();
        const old = await store.acquireLock({ ...request, ttlMs: 20 });
        await sleep(50);
        const result = await store.acquireLock(request);
        if (!result.acquired || !old.acquired) throw new Error("expected both to be acquired");
        expect(result.lock.acquiredAt.getTime()).toBeGreaterThan(old.lock.acquiredAt.getTime());
      });

      it("releases only for the owner, or when forced", async () => {
        const store = await make();
        await store.acquireLock(request);
        expect(await store.releaseLock("deploy:prod", "bob")).toBe(false);
        expect((await store.listLocks()).map((l) => l.owner)).toEqual(["alice"]);
        expect(await store.releaseLock("deploy:prod", "alice")).toBe(true);
        expect(await store.listLocks()).toEqual([]);
        expect(await store.releaseLock("deploy:prod", "alice")).toBe(false);

        await store.acquireLock(request);
        expect(await store.releaseLock("deploy:prod")).toBe(true);
        expect(await store.releaseLock("deploy:prod")).toBe(false);
        expect(await store.releaseLock("never-held")).toBe(false);
        expect((await store.acquireLock({ ...request, owner: "bob" })).acquired).toBe(true);
      });

      it("does not release an expired lock", async () => {
        const store = await make();
        await store.acquireLock({ ...request, ttlMs: 20 });
        await sleep(50);
        expect(await store.releaseLock("deploy:prod", "alice")).toBe(false);
        expect(await store.releaseLock("deploy:prod")).toBe(false);
      });

      it("lists unexpired locks sorted by name", async () => {
        const store = await make();
        await store.acquireLock({ ...request, name: "rollout:web" });
        await store.acquireLock({ ...request, name: "deploy:staging", owner: "bob" });
        await store.acquireLock({ ...request, name: "a-short-one", ttlMs: 20 });
        await store.acquireLock({ ...request, name: "deploy:prod" });
        await sleep(50);
        const locks = await store.listLocks();
        expect(locks.map((l) => [l.name, l.owner])).toEqual([
          ["deploy:prod", "alice"],
          ["deploy:staging", "bob"],
          ["rollout:web", "alice"],
        ]);
        for (const lock of locks) {
          expect(lock.acquiredAt).toBeInstanceOf(Date);
          expect(lock.expiresAt.getTime()).toBeGreaterThan(Date.now());
        }
      });

      it("returns copies of locks", async () => {
        const store = await make();
        const result = await store.acquireLock(request);
        if (!result.acquired) throw new Error("expected the lock");
        result.lock.owner = "mallory";
        (await store.listLocks())[0]!.owner = "mallory";
        expect((await store.listLocks())[0]!.owner).toBe("alice");
      });
    });

    describe("claims", () => {
      const at = (minute: number) => new Date(Date.UTC(2026, 5, 1, 9, minute));

      it("claims an occurrence once, and never an earlier one after a later one", async () => {
        const store = await make();
        expect(await store.claimOccurrence("schedule/s1", at(0), "one")).toBe(true);
        expect(await store.claimOccurrence("schedule/s1", at(0), "two")).toBe(false);
        expect(await store.claimOccurrence("schedule/s1", at(0), "one")).toBe(false);
        expect(await store.claimOccurrence("schedule/s2", at(0), "two")).toBe(true);
        expect(await store.claimOccurrence("schedule/s1", at(5), "two")).toBe(true);
        expect(await store.claimOccurrence("schedule/s1", at(3), "one")).toBe(false);
        await expect(store.claimOccurrence("schedule/s1", new Date(Number.NaN), "one")).rejects.toThrow(RangeError);
      });

      it("gives each of many concurrent claims of one occurrence to exactly one caller", async () => {
        const store = await make();
        for (let minute = 0; minute < 20; minute++) {
          const results = await Promise.all(
            Array.from({ length: 8 }, (_, i) => store.claimOccurrence("schedule/race", at(minute), `owner-${i}`)),
          );
          expect(results.filter(Boolean)).toHaveLength(1);
        }
      });
    });
  });
}
