import { startPgBouncer } from "@switchboard/test-servers";
import { describe, expect, it } from "vitest";
import { PoolerRefusedError } from "../src/connect.js";
import { migratePostgres, openPostgres } from "../src/index.js";
import { SCHEMA_VERSION } from "../src/schema.js";
import { onCleanup, open, usePostgres } from "./helpers.js";

const postgres = usePostgres();

describe("startup checks", () => {
  it("refuses PgBouncer in transaction mode (it refuses the session settings Switchboard sends)", async () => {
    const bouncer = await startPgBouncer(postgres(), { poolMode: "transaction" });
    onCleanup(() => bouncer.stop());
    const refused = await openPostgres({ url: bouncer.url }).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(PoolerRefusedError);
    expect(String(refused)).toMatch(/PgBouncer/);
  });

  it("refuses PgBouncer configured to ignore the session settings: the guards would be missing", async () => {
    const bouncer = await startPgBouncer(postgres(), {
      poolMode: "transaction",
      ignoreStartupParameters: ["options"],
    });
    onCleanup(() => bouncer.stop());
    const refused = await openPostgres({ url: bouncer.url }).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(PoolerRefusedError);
    expect(String(refused)).toMatch(/idle_in_transaction_session_timeout/);
  });

  it("applies the session guards on every connection", async () => {
    const { pool } = await open(undefined, { idleInTransactionTimeoutMs: 7_000, lockTimeoutMs: 1_234 });
    const { rows } = await pool.query(
      "SELECT current_setting('idle_in_transaction_session_timeout') AS idle, current_setting('lock_timeout') AS lock, current_setting('statement_timeout') AS statement, current_setting('tcp_keepalives_idle') AS keepalive",
    );
    expect(rows[0]).toEqual({ idle: "7s", lock: "1234ms", statement: "30s", keepalive: "10" });
  });

  it("ends a session stopped inside a transaction after idle_in_transaction_session_timeout, freeing the audit head", async () => {
    const storage = await open(undefined, { idleInTransactionTimeoutMs: 500 });
    const client = await storage.pool.connect();
    client.on("error", () => {});
    await client.query("BEGIN");
    await client.query("SELECT * FROM audit_head FOR UPDATE");
    // This session now does nothing, as a frozen instance would; an append from elsewhere waits, then goes through.
    const entries = await storage.auditLog.append([{ event: "plugin" }]);
    expect(entries[0]!.seq).toBe(1);
    client.release(true);
  });

  it("migrates once: a second run applies nothing", async () => {
    const url = await postgres().database("migrate_twice");
    expect(await migratePostgres({ url })).toEqual({
      from: 0,
      to: SCHEMA_VERSION,
      applied: Array.from({ length: SCHEMA_VERSION }, (_, i) => i + 1),
    });
    expect(await migratePostgres({ url })).toEqual({ from: SCHEMA_VERSION, to: SCHEMA_VERSION, applied: [] });
  });
});
