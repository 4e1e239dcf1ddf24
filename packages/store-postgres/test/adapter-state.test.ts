import { randomBytes } from "node:crypto";
import { until } from "@switchboard/test-servers";
import { describe, expect, it } from "vitest";
import {
  checkStateKey,
  LeasedState,
  parseStateKey,
  StaleStateError,
  StateKeyError,
  unseal,
} from "../src/adapter-state.js";
import { type Lease, LeaseElector, LeaseLostError } from "../src/lease-elector.js";
import { freshDatabase, onCleanup, open, usePostgres } from "./helpers.js";

usePostgres();

const RESOURCE = "matrix:matrix";

/** One instance: its own pool, an elector on the Matrix lease, and the sealed state it writes through. */
async function instance(url: string, who: string, key: Buffer) {
  const storage = await open(url, { instance: who });
  const elector = new LeaseElector({
    pool: storage.pool,
    resource: RESOURCE,
    holder: who,
    ttlMs: 2_000,
    pollEveryMs: 100,
  });
  onCleanup(() => elector.stop());
  let pinned: Lease | undefined;
  const state = new LeasedState({
    pool: storage.pool,
    key,
    resource: RESOURCE,
    holder: who,
    lease: () => pinned ?? elector.lease,
  });
  return {
    storage,
    elector,
    state,
    /** Keeps answering with this lease whatever the elector knows: a leader paused past its fence, then resumed. */
    pin: (lease: Lease) => {
      pinned = lease;
    },
  };
}

const key = () => randomBytes(32);
const text = (bytes: Uint8Array | undefined) => (bytes ? Buffer.from(bytes).toString("utf8") : undefined);

describe("LeasedState: adapter state sealed in PostgreSQL, written under the lease", () => {
  it("reads back what the lease holder wrote, and the row holds no plaintext", async () => {
    const url = await freshDatabase();
    const k = key();
    const a = await instance(url, "a", k);
    await a.elector.start();
    expect(a.elector.leading).toBe(true);
    const secret = '{"deviceId":"BOTDEVICE","accessToken":"syt_secret_token","curve25519":"Qm9iJ3Mga2V5"}';
    await a.state.write("session", Buffer.from(secret));
    expect(text(await a.state.read("session"))).toBe(secret);
    expect(await a.state.read("store")).toBeUndefined();

    const { rows } = await a.storage.pool.query<{ sealed: Buffer; token: string; holder: string }>(
      "SELECT sealed, token, holder FROM adapter_state WHERE resource = $1 AND name = 'session'",
      [RESOURCE],
    );
    expect(rows).toHaveLength(1);
    expect({ token: rows[0]!.token, holder: rows[0]!.holder }).toEqual({ token: "1", holder: "a" });
    const raw = rows[0]!.sealed;
    for (const word of ["BOTDEVICE", "syt_secret_token", "Qm9iJ3Mga2V5", "deviceId"]) {
      expect(raw.includes(Buffer.from(word))).toBe(false);
    }
    // Every write has its own nonce: the same value sealed twice differs.
    await a.state.write("session", Buffer.from(secret));
    const again = await a.storage.pool.query<{ sealed: Buffer }>(
      "SELECT sealed FROM adapter_state WHERE resource = $1 AND name = 'session'",
      [RESOURCE],
    );
    expect(again.rows[0]!.sealed.equals(raw)).toBe(false);
  });

  it("refuses a standby's write, and a stale leader's write after the lease changed hands", async () => {
    const url = await freshDatabase();
    const k = key();
    const a = await instance(url, "a", k);
    const b = await instance(url, "b", k);
    await a.elector.start();
    await b.elector.start();
    expect(a.elector.leading && !b.elector.leading).toBe(true);
    await expect(b.state.write("store", Buffer.from("standby"))).rejects.toThrow(LeaseLostError);

    await a.state.write("store", Buffer.from("written by a under token 1"));
    // a is paused past its fence (it still believes its token 1); its lease is released and b takes it (token 2).
    a.pin(a.elector.lease!);
    await a.elector.stop();
    await until(() => b.elector.leading, "b to take the lease");
    expect(b.elector.lease!.token).toBe(2);
    expect(text(await b.state.read("store"))).toBe("written by a under token 1");
    await b.state.write("store", Buffer.from("written by b under token 2"));

    // a resumes and flushes its crypto store: refused, and b's state is intact.
    const refused = a.state.write("store", Buffer.from("stale write by a"));
    await expect(refused).rejects.toThrow(LeaseLostError);
    await expect(refused).rejects.toThrow(/token 1\) is no longer held/);
    await expect(a.state.remove("store")).rejects.toThrow(LeaseLostError);
    expect(text(await b.state.read("store"))).toBe("written by b under token 2");
  });

  it("refuses to overwrite a row written under a newer token", async () => {
    const url = await freshDatabase();
    const k = key();
    const a = await instance(url, "a", k);
    await a.elector.start();
    const lease = a.elector.lease!;
    await a.state.write("store", Buffer.from("token 1"));
    // A newer holder's row (as a later lease would leave it), while the lease row still says token 1.
    await a.storage.pool.query("UPDATE adapter_state SET token = 5 WHERE resource = $1 AND name = 'store'", [RESOURCE]);
    await expect(a.state.write("store", Buffer.from("older"))).rejects.toThrow(StaleStateError);
    expect(a.elector.lease?.token).toBe(lease.token);
  });

  it("refuses a different key at start, and a row moved to another network cannot be opened", async () => {
    const url = await freshDatabase();
    const k = key();
    const a = await instance(url, "a", k);
    await checkStateKey(a.storage.pool, k, "store.postgres.stateKey");
    await checkStateKey(a.storage.pool, k, "store.postgres.stateKey");
    await expect(checkStateKey(a.storage.pool, key(), "store.postgres.stateKey")).rejects.toThrow(
      /store\.postgres\.stateKey is not the key this database's adapter state is sealed with/,
    );

    await a.elector.start();
    await a.state.write("session", Buffer.from("for matrix:matrix only"));
    const wrongKey = new LeasedState({
      pool: a.storage.pool,
      key: key(),
      resource: RESOURCE,
      holder: "a",
      lease: () => undefined,
    });
    await expect(wrongKey.read("session")).rejects.toThrow(StateKeyError);
    // Copied to another network's row by someone who can write the database: it does not open there.
    const { rows } = await a.storage.pool.query<{ sealed: Buffer }>(
      "SELECT sealed FROM adapter_state WHERE resource = $1 AND name = 'session'",
      [RESOURCE],
    );
    expect(() => unseal(k, "matrix:other", "session", rows[0]!.sealed)).toThrow(StateKeyError);
    expect(text(unseal(k, RESOURCE, "session", rows[0]!.sealed))).toBe("for matrix:matrix only");
  });

  it("reads a key as base64 or hex, and never repeats a bad one in its error", () => {
    const bytes = randomBytes(32);
    expect(parseStateKey(bytes.toString("base64"), "k").equals(bytes)).toBe(true);
    expect(parseStateKey(bytes.toString("hex"), "k").equals(bytes)).toBe(true);
    expect(() => parseStateKey(undefined, "store.postgres.stateKey")).toThrow(/store\.postgres\.stateKey is not set/);
    expect(() => parseStateKey("   ", "k")).toThrow(StateKeyError);
    for (const bad of ["hunter2-correct-horse", randomBytes(16).toString("base64"), `${bytes.toString("hex")}00`]) {
      let message = "";
      try {
        parseStateKey(bad, "store.postgres.stateKey");
      } catch (error) {
        message = (error as Error).message;
      }
      expect(message).toMatch(/is not a key: it must be 32 random bytes/);
      expect(message).not.toContain(bad);
    }
  });
});
