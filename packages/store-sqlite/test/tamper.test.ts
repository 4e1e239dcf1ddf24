import type { AuditEntry } from "@switchboard/core";
import {
  CheckpointingAuditLog,
  canonicalJson,
  checkpointSigner,
  describeAnchorProblem,
  generateCheckpointKey,
  hashEntry,
  verifyAnchored,
  verifyChain,
} from "@switchboard/core/audit";
import Database from "better-sqlite3";
import { describe, expect, it } from "vitest";
import { openDatabase } from "../src/open-database.js";
import { SqliteAuditLog } from "../src/sqlite-audit-log.js";
import { onCleanup, tempDbPath } from "./helpers.js";

/** A log with six entries in a fresh file, and a raw connection to the same file (the attacker's). */
async function setup(): Promise<{ log: SqliteAuditLog; raw: Database.Database }> {
  const path = tempDbPath();
  const db = openDatabase(path);
  onCleanup(() => db.close());
  const log = new SqliteAuditLog(db);
  for (const actor of ["alice", "bob", "carol"]) {
    await log.append([
      { event: "admitted", actor, command: "deploy", jobId: `job-${actor}`, args: { env: "prod" } },
      { event: "outcome", actor, command: "deploy", jobId: `job-${actor}`, outcome: "succeeded" },
    ]);
  }
  const raw = new Database(path);
  onCleanup(() => raw.close());
  return { log, raw };
}

function dropTriggers(raw: Database.Database): void {
  raw.exec("DROP TRIGGER audit_no_update; DROP TRIGGER audit_no_delete;");
}

function body(raw: Database.Database, seq: number): AuditEntry {
  return JSON.parse(raw.prepare("SELECT body FROM audit WHERE seq = ?").pluck().get(seq) as string) as AuditEntry;
}

describe("tamper evidence", () => {
  it("starts from a valid chain", async () => {
    const { log } = await setup();
    expect(await verifyChain(log.entries())).toMatchObject({ ok: true, checked: 6 });
  });

  it("refuses UPDATE and DELETE through an ordinary connection", async () => {
    const { log, raw } = await setup();
    expect(() => raw.prepare("UPDATE audit SET actor = 'mallory' WHERE seq = 3").run()).toThrow(/append-only/);
    expect(() =>
      raw.prepare("UPDATE audit SET body = json_set(body, '$.actor', 'mallory') WHERE seq = 3").run(),
    ).toThrow(/append-only/);
    expect(() => raw.prepare("DELETE FROM audit WHERE seq = 3").run()).toThrow(/append-only/);
    expect(() => raw.prepare("DELETE FROM audit").run()).toThrow(/append-only/);
    expect(await verifyChain(log.entries())).toMatchObject({ ok: true, checked: 6 });
  });

  it("detects an edited field in a stored entry and names it", async () => {
    const { log, raw } = await setup();
    dropTriggers(raw);
    expect(body(raw, 3).actor).toBe("bob");
    raw.prepare("UPDATE audit SET body = json_set(body, '$.actor', 'mallory') WHERE seq = 3").run();
    expect(body(raw, 3).actor).toBe("mallory");

    const result = await verifyChain(log.entries());
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.firstBad.seq).toBe(3);
    expect(result.firstBad.reason).toMatch(/edited/);
    expect(result.checked).toBe(2);
  });

  it("detects an edited entry whose own hash was recomputed (the next link breaks)", async () => {
    const { log, raw } = await setup();
    dropTriggers(raw);
    const { hash: _old, ...rest } = body(raw, 3);
    const forged = { ...rest, actor: "mallory" };
    const entry = { ...forged, hash: hashEntry(forged) };
    raw
      .prepare("UPDATE audit SET actor = ?, hash = ?, body = ? WHERE seq = 3")
      .run("mallory", entry.hash, canonicalJson(entry));

    const result = await verifyChain(log.entries());
    expect(result).toMatchObject({ ok: false, firstBad: { seq: 4 } });
    if (result.ok) return;
    expect(result.firstBad.reason).toMatch(/link/);
  });

  it("detects an indexed column that disagrees with the body", async () => {
    const { log, raw } = await setup();
    dropTriggers(raw);
    raw.prepare("UPDATE audit SET actor = 'mallory' WHERE seq = 3").run();
    expect(await verifyChain(log.entries())).toMatchObject({ ok: false, firstBad: { seq: 3 } });
  });

  it.each([
    ["outcome", "outcome = 'failed'", 2],
    ["job_id", "job_id = 'job-x'", 4],
    ["command", "command = NULL", 5],
    ["time", "time = '2000-01-01T00:00:00.000Z'", 1],
    ["hash", "hash = prev_hash", 6],
  ])("detects an edited %s column", async (_column, assignment, seq) => {
    const { log, raw } = await setup();
    dropTriggers(raw);
    raw.prepare(`UPDATE audit SET ${assignment} WHERE seq = ?`).run(seq);
    expect(await verifyChain(log.entries())).toMatchObject({ ok: false, firstBad: { seq } });
  });

  it("detects a deleted entry in the middle and names the missing position", async () => {
    const { log, raw } = await setup();
    dropTriggers(raw);
    raw.prepare("DELETE FROM audit WHERE seq = 3").run();

    const result = await verifyChain(log.entries());
    expect(result).toMatchObject({ ok: false, checked: 2, firstBad: { seq: 4 } });
    if (result.ok) return;
    expect(result.firstBad.reason).toContain("#3");
  });

  it("detects a deleted entry even when the later ones were renumbered", async () => {
    const { log, raw } = await setup();
    dropTriggers(raw);
    raw.prepare("DELETE FROM audit WHERE seq = 3").run();
    for (let seq = 4; seq <= 6; seq++) {
      raw.prepare("UPDATE audit SET seq = seq - 1, body = json_set(body, '$.seq', seq - 1) WHERE seq = ?").run(seq);
    }
    expect(await verifyChain(log.entries())).toMatchObject({ ok: false, firstBad: { seq: 3 } });
  });

  it("refuses to read a body that is not JSON, naming the entry", async () => {
    const { log, raw } = await setup();
    dropTriggers(raw);
    raw.prepare("UPDATE audit SET body = 'garbage' WHERE seq = 3").run();
    await expect(verifyChain(log.entries())).rejects.toThrow(/#3/);
    await expect(log.query({ actor: "bob" })).rejects.toThrow(/#3/);
  });

  it("keeps appending after the triggers are gone, and the edit stays detectable", async () => {
    const { log, raw } = await setup();
    dropTriggers(raw);
    raw.prepare("UPDATE audit SET body = json_set(body, '$.outcome', 'failed') WHERE seq = 2").run();
    await log.append([{ event: "admitted", actor: "dave" }]);
    expect(await verifyChain(log.entries())).toMatchObject({ ok: false, firstBad: { seq: 2 } });
  });

  it("attack: edit a row and recompute every later hash — the chain passes, the signed checkpoint does not", async () => {
    const { log, raw } = await setup();
    const checkpoints = [
      checkpointSigner(generateCheckpointKey().privateKeyPem).sign({ seq: 6, hash: body(raw, 6).hash }),
    ];
    dropTriggers(raw);
    let prevHash = body(raw, 2).hash;
    for (let seq = 3; seq <= 6; seq++) {
      const { hash: _old, ...rest } = body(raw, seq);
      const entry = { ...rest, prevHash, ...(seq === 3 ? { actor: "mallory" } : {}) };
      const hash = hashEntry(entry);
      raw
        .prepare("UPDATE audit SET actor = ?, prev_hash = ?, hash = ?, body = ? WHERE seq = ?")
        .run(entry.actor, prevHash, hash, canonicalJson({ ...entry, hash }), seq);
      prevHash = hash;
    }
    expect(await verifyChain(log.entries())).toMatchObject({ ok: true, checked: 6 });
    const result = await verifyAnchored(log.entries(), { checkpoints });
    expect(result.ok).toBe(false);
    expect(describeAnchorProblem(result.problems[0]!)).toMatch(/^entry #6 has hash .*recomputed or cut off/);
  });

  it("attack: delete the newest entries — the chain passes, the checkpoint names the cut", async () => {
    const { log, raw } = await setup();
    const signer = checkpointSigner(generateCheckpointKey().privateKeyPem);
    const checkpoints = [
      signer.sign({ seq: 4, hash: body(raw, 4).hash }),
      signer.sign({ seq: 6, hash: body(raw, 6).hash }),
    ];
    dropTriggers(raw);
    raw.prepare("DELETE FROM audit WHERE seq > 4").run();
    expect(await verifyChain(log.entries())).toMatchObject({ ok: true, checked: 4 });
    const result = await verifyAnchored(log.entries(), { checkpoints });
    expect(describeAnchorProblem(result.problems[0]!)).toMatch(
      /^the log ends at entry #4, but the checkpoint of entry #6 .* recomputed or cut off after entry #4$/,
    );
  });

  it("a checkpointing wrapper over the SQLite log signs the head another connection wrote", async () => {
    const { log } = await setup();
    const written: number[] = [];
    const anchored = new CheckpointingAuditLog(log, {
      signer: checkpointSigner(generateCheckpointKey().privateKeyPem),
      write: (checkpoint) => void written.push(checkpoint.seq),
      intervalMs: 0,
    });
    await anchored.close();
    expect(written).toEqual([6]);
  });
});
