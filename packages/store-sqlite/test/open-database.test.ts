import { rmSync, statSync } from "node:fs";
import { join } from "node:path";
import Database from "better-sqlite3";
import { describe, expect, it } from "vitest";
import { openSqlite } from "../src/index.js";
import { openDatabase, type SynchronousMode } from "../src/open-database.js";
import { onCleanup, scratchDir, tempDbPath } from "./helpers.js";

describe("openDatabase", () => {
  it("creates missing parent directories and a private (0600) file in WAL mode", () => {
    const path = join(scratchDir(), "nested", "deeper", "switchboard.db");
    const db = openDatabase(path);
    onCleanup(() => db.close());
    expect(statSync(path).isFile()).toBe(true);
    if (process.platform !== "win32") {
      expect(statSync(path).mode & 0o777).toBe(0o600);
      db.prepare("INSERT INTO kv VALUES ('ns', 'k', '1')").run();
      expect(statSync(`${path}-wal`).mode & 0o777).toBe(0o600);
    }
    expect(db.pragma("journal_mode", { simple: true })).toBe("wal");
  });

  it("leaves the mode of an existing file alone", () => {
    const path = tempDbPath();
    new Database(path).close();
    const mode = statSync(path).mode & 0o777;
    const db = openDatabase(path);
    onCleanup(() => db.close());
    expect(statSync(path).mode & 0o777).toBe(mode);
  });

  it.each([
    [undefined, 1],
    ["NORMAL", 1],
    ["FULL", 2],
  ] as const)("sets synchronous %s", (synchronous, expected) => {
    const db = openDatabase(tempDbPath(), synchronous === undefined ? {} : { synchronous });
    onCleanup(() => db.close());
    expect(db.pragma("synchronous", { simple: true })).toBe(expected);
  });

  it("sets the busy timeout", () => {
    const a = openDatabase(tempDbPath());
    const b = openDatabase(tempDbPath(), { busyTimeoutMs: 250 });
    onCleanup(() => a.close());
    onCleanup(() => b.close());
    expect(a.pragma("busy_timeout", { simple: true })).toBe(5000);
    expect(b.pragma("busy_timeout", { simple: true })).toBe(250);
  });

  it("sets the checkpoint interval", () => {
    const a = openDatabase(tempDbPath());
    const b = openDatabase(tempDbPath(), { walAutocheckpointPages: 500 });
    onCleanup(() => a.close());
    onCleanup(() => b.close());
    expect(a.pragma("wal_autocheckpoint", { simple: true })).toBe(10_000);
    expect(b.pragma("wal_autocheckpoint", { simple: true })).toBe(500);
  });

  it("sets the page cache size (2 MiB unless told)", () => {
    const a = openDatabase(tempDbPath());
    const b = openDatabase(tempDbPath(), { cacheSizeKiB: 16_000 });
    onCleanup(() => a.close());
    onCleanup(() => b.close());
    expect(a.pragma("cache_size", { simple: true })).toBe(-2048);
    expect(b.pragma("cache_size", { simple: true })).toBe(-16_000);
  });

  it("rejects invalid options", () => {
    expect(() => openDatabase(tempDbPath(), { synchronous: "OFF" as SynchronousMode })).toThrow(RangeError);
    expect(() => openDatabase(tempDbPath(), { busyTimeoutMs: -1 })).toThrow(RangeError);
    expect(() => openDatabase(tempDbPath(), { walAutocheckpointPages: 1.5 })).toThrow(RangeError);
    expect(() => openDatabase(tempDbPath(), { cacheSizeKiB: -1 })).toThrow(RangeError);
  });

  it("records each schema version once, however often the file is opened", () => {
    const path = tempDbPath();
    openDatabase(path).close();
    const db = openDatabase(path);
    onCleanup(() => db.close());
    expect(db.prepare("SELECT version FROM schema_version").pluck().all()).toEqual([1, 2, 3, 4]);
    expect(db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").pluck().all()).toEqual([
      "audit",
      "audit_facets",
      "claims",
      "database_identity",
      "kv",
      "locks",
      "schema_version",
    ]);
  });

  it("gives a database an id when it is created; one created again at the same path gets another", () => {
    const path = tempDbPath();
    const first = openSqlite(path);
    const { id, adopted } = first.identity;
    first.close();
    expect(id).toMatch(/^[0-9a-f]{32}$/);
    expect(adopted).toBe(false);
    const again = openSqlite(path);
    expect(again.identity.id).toBe(id);
    again.close();
    for (const suffix of ["", "-wal", "-shm"]) rmSync(`${path}${suffix}`, { force: true });
    const fresh = openSqlite(path);
    onCleanup(fresh.close);
    expect(fresh.identity.id).not.toBe(id);
    expect(() => fresh.db.prepare("UPDATE database_identity SET id = 'x'").run()).toThrow(/cannot be changed/);
  });

  it("adopts a database made before ids: the id is marked adopted when it already had audit entries", () => {
    const path = tempDbPath();
    openDatabase(path).close();
    // Back to schema version 2, as a database made by an earlier version, with one audit entry (version 4 is undone
    // too: the indexes it drops are put back, its table removed).
    const raw = new Database(path);
    raw.exec("DROP TRIGGER database_identity_no_insert; DROP TRIGGER database_identity_no_update;");
    raw.exec("DROP TABLE database_identity; DROP TABLE audit_facets; DELETE FROM schema_version WHERE version >= 3;");
    raw.exec(
      "CREATE INDEX audit_actor ON audit (actor) WHERE actor IS NOT NULL; CREATE INDEX audit_command ON audit (command) WHERE command IS NOT NULL; CREATE INDEX audit_outcome ON audit (outcome) WHERE outcome IS NOT NULL;",
    );
    raw
      .prepare(
        "INSERT INTO audit (seq, time, event, prev_hash, hash, body) VALUES (1, 't', 'received', 'p', 'h', '{}')",
      )
      .run();
    raw.close();
    const adopted = openSqlite(path);
    onCleanup(adopted.close);
    expect(adopted.identity.adopted).toBe(true);
  });

  it("refuses a file with a newer schema", () => {
    const path = tempDbPath();
    openDatabase(path).close();
    const raw = new Database(path);
    raw.prepare("INSERT INTO schema_version (version, applied_at) VALUES (99, 'later')").run();
    raw.close();
    expect(() => openDatabase(path)).toThrow(/schema version 99/);
  });

  it("opens an in-memory database", async () => {
    const { store, auditLog, close } = openSqlite(":memory:");
    onCleanup(close);
    await store.set("ns", "k", 1);
    await auditLog.append([{ event: "admitted" }]);
    expect(await store.get("ns", "k")).toBe(1);
    expect(await auditLog.query({})).toHaveLength(1);
  });

  it("closes idempotently", () => {
    const storage = openSqlite(tempDbPath());
    storage.close();
    storage.close();
    expect(storage.db.open).toBe(false);
  });
});
