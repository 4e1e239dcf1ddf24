/**
 * Checkpoints follow the database, not its path: someone deletes the database and starts over at the same path (or
 * deletes it and leaves it at that). The new log is not "tampered"; `audit verify` says plainly that checkpoints
 * exist for a database that is no longer there, and the new database gets checkpoints of its own.
 */
import { readdirSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { assertBuilt, runCli, tempDir } from "./cli.js";

const CONFIG = [
  "audit: { every: 4 }",
  "roles:",
  "  admin: { permissions: ['*'] }",
  "principals:",
  "  alice: { roles: [admin], identities: { shell: alice } }",
  "",
].join("\n");

const temps: Array<{ remove(): void }> = [];
afterEach(() => {
  for (const temp of temps.splice(0)) temp.remove();
});

describe("a database deleted and created again at the same path", () => {
  beforeAll(() => assertBuilt());

  it("verify says the old checkpoints belong to a database no longer here, and checks the new one on its own", async () => {
    const temp = tempDir("switchboard-start-over-");
    temps.push(temp);
    writeFileSync(join(temp.dir, "switchboard.yaml"), CONFIG);
    const session = (input: string) => runCli(["shell", "--user", "alice"], { cwd: temp.dir, input });
    expect((await session("ping\nping\nping\nping\nping\nping\n")).code).toBe(0);
    const db = join(temp.dir, ".switchboard/switchboard.db");
    const folder = join(temp.dir, ".config/switchboard/checkpoints");
    expect(readdirSync(folder)).toHaveLength(1);

    // The user starts over: the database goes, a new one is made at the same path with fewer entries.
    for (const suffix of ["", "-wal", "-shm"]) rmSync(`${db}${suffix}`, { force: true });
    const gone = await runCli(["audit", "verify"], { cwd: temp.dir });
    expect(gone.stdout + gone.stderr).toMatch(/no database at/);
    expect((await session("ping\n")).code).toBe(0);

    const result = await runCli(["audit", "verify"], { cwd: temp.dir });
    expect(result.stdout).not.toMatch(/^bad:/m);
    expect(result.stdout).toMatch(/^ok: \d+ entries, last hash [0-9a-f]{64} \(/);
    expect(result.stdout).toMatch(
      /^warning: .*checkpoints\/\S+ holds \d+ checkpoints of database [0-9a-f]{32}, which is no longer at .*switchboard\.db \(the database there now is [0-9a-f]{32}, created .*\)/m,
    );
    expect(result.stdout).toMatch(/^anchored: entry #\d+ matches the checkpoint signed at/m);
    expect(readdirSync(folder)).toHaveLength(2);
    expect(result.code).toBe(0);
  });

  it("a database from before ids keeps the checkpoints named after its path, and is still checked against them", async () => {
    const temp = tempDir("switchboard-adopt-");
    temps.push(temp);
    writeFileSync(join(temp.dir, "switchboard.yaml"), CONFIG);
    expect((await runCli(["shell", "--user", "alice"], { cwd: temp.dir, input: "ping\nping\nping\n" })).code).toBe(0);
    // As an earlier version left it: schema version 2 (before ids; version 4's table and dropped indexes undone too),
    // and a checkpoint file named after the path alone.
    const db = join(temp.dir, ".switchboard/switchboard.db");
    const raw = new Database(db);
    raw.exec("DROP TRIGGER database_identity_no_insert; DROP TRIGGER database_identity_no_update;");
    raw.exec("DROP TABLE database_identity; DROP TABLE audit_facets; DELETE FROM schema_version WHERE version >= 3;");
    raw.exec(
      "CREATE INDEX audit_actor ON audit (actor) WHERE actor IS NOT NULL; CREATE INDEX audit_command ON audit (command) WHERE command IS NOT NULL; CREATE INDEX audit_outcome ON audit (outcome) WHERE outcome IS NOT NULL;",
    );
    raw.close();
    const folder = join(temp.dir, ".config/switchboard/checkpoints");
    const [named] = readdirSync(folder);
    renameSync(join(folder, named!), join(folder, named!.replace(/-db[0-9a-f]{32}\.jsonl$/, ".jsonl")));

    const result = await runCli(["audit", "verify"], { cwd: temp.dir });
    expect(result.stdout).toMatch(/^ok: 6 entries/);
    expect(result.stdout).toMatch(/^anchored: entry #6 matches the checkpoint/m);
    expect(result.stdout).not.toMatch(/^warning:/m);
    expect(readdirSync(folder)).toEqual([expect.stringMatching(/-db[0-9a-f]{32}\.jsonl$/)]);
  });
});
