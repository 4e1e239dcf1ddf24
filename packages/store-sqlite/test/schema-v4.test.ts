// Schema version 4 (issue 17): one secondary index on the audit table (job id), actor/command/outcome looked up in
// the narrow `audit_facets` table; a version 1 database with entries and signed checkpoints migrates on open and
// still verifies.
import type { AuditEntry, AuditRecord } from "@switchboard/core";
import {
  type AuditCheckpoint,
  CheckpointingAuditLog,
  chainRecords,
  checkpointSigner,
  generateCheckpointKey,
  verifyAnchored,
  verifyChain,
} from "@switchboard/core/audit";
import Database from "better-sqlite3";
import { describe, expect, it } from "vitest";
import { openSqlite } from "../src/index.js";
import { migrate, SCHEMA_VERSION } from "../src/schema.js";
import { onCleanup, tempDbPath } from "./helpers.js";

/** The records dispatch writes for job `i`: `admitted`, then its `outcome`. */
function job(i: number): AuditRecord[] {
  const common = { jobId: `job-${i}`, actor: `user${i % 3}`, command: i % 2 ? "status" : "deploy" };
  return [
    { ...common, event: "admitted", network: "irc", room: "#ops", args: { n: i }, decision: "allowed", rule: "r" },
    { ...common, event: "outcome", outcome: i % 4 === 0 ? "failed" : "succeeded", durationMs: i },
  ];
}

/**
 * A database as the version 1 package left it: the version 1 schema, and entries stored the way its audit log
 * stored them (the chained body and its fields copied into the indexed columns, one transaction per append).
 */
function versionOneDatabase(path: string, jobs: number): Database.Database {
  const db = new Database(path);
  migrate(db, 1);
  const insert = db.prepare(
    `INSERT INTO audit (seq, time, event, job_id, actor, command, outcome, prev_hash, hash, body)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  let last: { seq: number; hash: string } | undefined;
  for (let i = 0; i < jobs; i++)
    db.transaction(() => {
      const entries = chainRecords(last, job(i), new Date(), (body, e) =>
        insert.run(
          e.seq,
          e.time,
          e.event,
          e.jobId ?? null,
          e.actor ?? null,
          e.command ?? null,
          e.outcome ?? null,
          e.prevHash,
          e.hash,
          body,
        ),
      );
      last = entries.at(-1);
    }).immediate();
  return db;
}

const indexesOn = (db: Database.Database, table: string) =>
  (
    db
      .prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = ? AND sql IS NOT NULL")
      .all(table) as Array<{ name: string }>
  ).map((r) => r.name);

describe("audit schema version 4", () => {
  it("a version 1 database with checkpoints migrates on open: chain and checkpoints verify, queries find the old entries", async () => {
    const path = tempDbPath();
    const v1 = versionOneDatabase(path, 10);
    expect(indexesOn(v1, "audit").sort()).toEqual(["audit_actor", "audit_command", "audit_job_id", "audit_outcome"]);
    // Checkpoints signed by the CheckpointingAuditLog over the version 1 log: at entry 20 (its head).
    const signer = checkpointSigner(generateCheckpointKey().privateKeyPem);
    const head = v1.prepare("SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1").get() as {
      seq: number;
      hash: string;
    };
    const mid = v1.prepare("SELECT seq, hash FROM audit WHERE seq = 8").get() as { seq: number; hash: string };
    const checkpoints: AuditCheckpoint[] = [signer.sign(mid), signer.sign(head)];
    v1.close();

    const storage = openSqlite(path);
    onCleanup(storage.close);
    const versions = storage.db.prepare("SELECT version FROM schema_version ORDER BY version").pluck().all();
    expect(versions).toEqual([1, 2, 3, 4]);
    expect(SCHEMA_VERSION).toBe(4);
    expect(indexesOn(storage.db, "audit")).toEqual(["audit_job_id"]);

    expect(await verifyChain(storage.auditLog.entries())).toMatchObject({ ok: true, checked: 20 });
    expect(await verifyAnchored(storage.auditLog.entries(), { checkpoints })).toMatchObject({ ok: true });

    // The facets were copied from the old rows: every filter finds what it found before the migration.
    const user1 = await storage.auditLog.query({ actor: "user1", limit: 100 });
    expect(user1.map((e) => e.jobId)).toEqual(["job-7", "job-7", "job-4", "job-4", "job-1", "job-1"]);
    const failed = await storage.auditLog.query({ outcome: "failed" });
    expect(failed.map((e) => e.jobId)).toEqual(["job-8", "job-4", "job-0"]);
    const deployFailed = await storage.auditLog.query({ command: "deploy", outcome: "failed", actor: "user2" });
    expect(deployFailed.map((e) => e.jobId)).toEqual(["job-8"]);

    // Appends after the migration continue the chain, are found by the same filters, and a new checkpoint holds.
    const anchored = new CheckpointingAuditLog(storage.auditLog, {
      signer,
      write: (checkpoint) => void checkpoints.push(checkpoint),
      intervalMs: 0,
    });
    for (let i = 10; i < 13; i++) await anchored.append(job(i));
    await anchored.close();
    expect(checkpoints.at(-1)?.seq).toBe(26);
    expect(await verifyAnchored(storage.auditLog.entries(), { checkpoints })).toMatchObject({ ok: true });
    expect((await storage.auditLog.query({ actor: "user1", limit: 2 })).map((e) => e.jobId)).toEqual([
      "job-10",
      "job-10",
    ]);
  });

  it("looks actors, commands and outcomes up in audit_facets from the newest row, jobs by their index", () => {
    const storage = openSqlite(tempDbPath());
    onCleanup(storage.close);
    const plan = (sql: string) =>
      (storage.db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all("x", 20) as Array<{ detail: string }>)
        .map((s) => s.detail)
        .join("; ");
    const viaFacets = plan(
      "SELECT a.seq, a.body FROM audit_facets f CROSS JOIN audit a ON a.seq = f.seq WHERE f.actor = ? ORDER BY f.seq DESC LIMIT ?",
    );
    expect(viaFacets).toMatch(/SCAN f/);
    expect(viaFacets).toMatch(/SEARCH a USING INTEGER PRIMARY KEY/);
    expect(viaFacets).not.toMatch(/TEMP B-TREE/);
    expect(plan("SELECT a.seq, a.body FROM audit a WHERE a.job_id = ? ORDER BY a.seq DESC LIMIT ?")).toContain(
      "USING INDEX audit_job_id",
    );
  });

  it("a row whose facets were edited is not returned for a filter its own columns do not match", async () => {
    const path = tempDbPath();
    const storage = openSqlite(path);
    onCleanup(storage.close);
    for (let i = 0; i < 3; i++) await storage.auditLog.append(job(i));
    const raw = new Database(path);
    onCleanup(() => raw.close());
    raw.exec("DROP TRIGGER audit_facets_no_update");
    raw.prepare("UPDATE audit_facets SET actor = 'user1' WHERE seq = 1").run();
    const found: AuditEntry[] = await storage.auditLog.query({ actor: "user1" });
    expect(found.map((e) => e.seq)).toEqual([4, 3]);
  });

  it("refuses UPDATE and DELETE of facets through an ordinary connection", async () => {
    const path = tempDbPath();
    const storage = openSqlite(path);
    onCleanup(storage.close);
    await storage.auditLog.append(job(0));
    expect(() => storage.db.prepare("UPDATE audit_facets SET actor = 'x'").run()).toThrow(/append-only/);
    expect(() => storage.db.prepare("DELETE FROM audit_facets").run()).toThrow(/append-only/);
  });
});
