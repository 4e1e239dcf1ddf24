/**
 * Backup and restore as an operator does it: `switchboard backup` taken while the bot writes, the database put
 * back, `audit verify` reporting the cut, `audit re-anchor --accept-head` from the backup's manifest, and verify
 * green again saying since when and by whom. A tampered restore is still caught: re-anchoring it is refused.
 */
import { copyFileSync, existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { AuditEntry } from "@switchboard/core";
import { canonicalJson, GENESIS_HASH, hashEntry } from "@switchboard/core/audit";
import Database from "better-sqlite3";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { assertBuilt, exited, runCli, spawnCli, tempDir, watchOutput } from "./cli.js";

const CONFIG = [
  "audit: { every: 4 }",
  "roles:",
  "  admin: { permissions: ['*'] }",
  "  deployer: { permissions: ['deploy:*'] }",
  "principals:",
  "  alice: { roles: [admin], identities: { shell: alice } }",
  "  bob: { identities: { shell: bob } }",
  "",
].join("\n");

const temps: Array<{ remove(): void }> = [];
afterEach(() => {
  for (const temp of temps.splice(0)) temp.remove();
});
beforeAll(() => assertBuilt());

interface Manifest {
  database: { file: string; entries: number; head: string };
  files: Record<string, string>;
  restore: string;
}

/**
 * A bot that answers a stream of pings while `switchboard backup` runs beside it; returns the folder, the
 * backup's manifest and how many entries the live log had when the bot stopped.
 */
async function backupWhileWriting(): Promise<{
  dir: string;
  db: string;
  backup: string;
  manifest: Manifest;
  final: number;
}> {
  const temp = tempDir("switchboard-backup-");
  temps.push(temp);
  writeFileSync(join(temp.dir, "switchboard.yaml"), CONFIG);
  const child = spawnCli(["shell", "--user", "alice"], temp.dir);
  const output = watchOutput(child);
  child.stdin.write("role grant bob deployer\n");
  await output.waitFor(/bob/);
  // A ping every 10 ms for as long as the backup runs (and a little after): the bot writes throughout.
  const pongs = () => (output.text().match(/pong/g) ?? []).length;
  let writing = true;
  const writer = (async () => {
    while (writing) {
      child.stdin.write("ping\n");
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  })();
  await output.until(() => pongs() >= 5);
  const backup = join(temp.dir, "backups/today");
  const before = pongs();
  const result = await runCli(["backup", backup], { cwd: temp.dir });
  const after = pongs();
  await output.until(() => pongs() >= after + 5);
  writing = false;
  await writer;
  expect(result.stderr).toBe("");
  expect(result.code).toBe(0);
  child.stdin.end();
  expect((await exited(child)).code).toBe(0);
  expect(after).toBeGreaterThan(before); // the bot answered (and wrote) while the copy was taken
  const manifest = JSON.parse(readFileSync(join(backup, "manifest.json"), "utf8")) as Manifest;
  const db = join(temp.dir, ".switchboard/switchboard.db");
  const live = new Database(db, { readonly: true });
  const final = live.prepare("SELECT max(seq) FROM audit").pluck().get() as number;
  live.close();
  return { dir: temp.dir, db, backup, manifest, final };
}

/** Puts the backup's database back (the bot is stopped): the file, without the old write-ahead log. */
function restore(db: string, backup: string, manifest: Manifest): void {
  for (const suffix of ["-wal", "-shm"]) rmSync(`${db}${suffix}`, { force: true });
  copyFileSync(join(backup, manifest.database.file), db);
}

/** Changes entry `seq` and recomputes every later hash (what someone with the file and no key can do). */
function editAndRecompute(db: string, seq: number): void {
  const raw = new Database(db);
  raw.exec("DROP TRIGGER IF EXISTS audit_no_update; DROP TRIGGER IF EXISTS audit_no_delete;");
  const rows = (raw.prepare("SELECT body FROM audit ORDER BY seq").pluck().all() as string[]).map(
    (body) => JSON.parse(body) as AuditEntry,
  );
  const update = raw.prepare("UPDATE audit SET actor = ?, prev_hash = ?, hash = ?, body = ? WHERE seq = ?");
  let prevHash = seq > 1 ? rows[seq - 2]!.hash : GENESIS_HASH;
  for (const original of rows.slice(seq - 1)) {
    const { hash: _old, ...rest } = original;
    const entry = { ...rest, prevHash, ...(original.seq === seq ? { actor: "mallory" } : {}) };
    const hash = hashEntry(entry);
    update.run(entry.actor ?? null, prevHash, hash, canonicalJson({ ...entry, hash }), entry.seq);
    prevHash = hash;
  }
  raw.close();
}

describe("switchboard backup, restore and audit re-anchor", () => {
  it("backs up while the bot writes; the restored log verifies again after a re-anchor that says when and by whom", async () => {
    const { dir, db, backup, manifest, final } = await backupWhileWriting();
    const [seq, hash] = manifest.database.head.split(":");
    expect(Number(seq)).toBe(manifest.database.entries);
    expect(final).toBeGreaterThan(Number(seq)); // entries were written after the copy
    expect(hash).toMatch(/^[0-9a-f]{64}$/);
    expect(Object.values(manifest.files).sort()).toEqual(
      ["audit-key.pub", "checkpoints.jsonl", "switchboard.yaml"].sort(),
    );
    expect(existsSync(join(backup, "audit-key"))).toBe(false); // the private key is never copied
    expect(statSync(backup).mode & 0o777).toBe(0o700);
    expect(manifest.restore).toContain(`./switchboard audit re-anchor --accept-head ${manifest.database.head}`);

    restore(db, backup, manifest);
    const cut = await runCli(["audit", "verify"], { cwd: dir });
    expect(cut.code).toBe(1);
    expect(cut.stdout).toMatch(
      new RegExp(`^bad: the log ends at entry #${seq}, but the checkpoint of entry #\\d+`, "m"),
    );

    const reanchor = await runCli(["audit", "re-anchor", "--accept-head", manifest.database.head], { cwd: dir });
    expect(reanchor.stderr).toBe("");
    expect(reanchor.code).toBe(0);
    expect(reanchor.stdout).toMatch(new RegExp(`^re-anchored: \\S+ accepted entry #${seq} as the head`, "m"));

    const green = await runCli(["audit", "verify"], { cwd: dir });
    expect(green.stdout).toMatch(/^ok: /);
    expect(green.code).toBe(0);
    expect(green.stdout).toMatch(
      new RegExp(
        `^re-anchored: since \\S+, \\S+@\\S+ accepted entry #${seq} \\(${hash!.slice(0, 12)}…\\) as the head \\(restored from a backup\\); \\d+ checkpoints up to entry #${final} from before were set aside; recorded in audit entry #${Number(seq) + 1}$`,
        "m",
      ),
    );
    // The runtime grant made before the backup is still trusted, and the bot runs on the restored log.
    expect(green.stdout).toMatch(/^grants: 1 runtime role grants, each backed by a trusted audit entry$/m);
    const after = await runCli(["shell", "--user", "bob"], { cwd: dir, input: "whoami\n" });
    expect(after.stdout).toMatch(/deployer/);
    expect((await runCli(["audit", "verify"], { cwd: dir })).code).toBe(0);
    const tail = await runCli(["audit", "tail", "-n", "50"], { cwd: dir });
    expect(tail.stdout).toMatch(/operator .* audit re-anchor .* accepted entry #\d+ as the head/);
  }, 60_000);

  it("attack: a tampered restore — re-anchoring is refused and verify still fails", async () => {
    const { dir, db, backup, manifest } = await backupWhileWriting();
    restore(db, backup, manifest);
    editAndRecompute(db, 3);
    // Neither the backup's head nor the checkpoints before it match the tampered log.
    const refused = await runCli(["audit", "re-anchor", "--accept-head", manifest.database.head], { cwd: dir });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(
      /^switchboard: refused: entry #\d+ has hash [0-9a-f]{12}…, not [0-9a-f]{12}… as the checkpoint/m,
    );
    // Nor can the tamperer accept their own recomputed head: the checkpoints before it do not match.
    const raw = new Database(db, { readonly: true });
    const own = raw.prepare("SELECT seq || ':' || hash FROM audit ORDER BY seq DESC LIMIT 1").pluck().get() as string;
    raw.close();
    const alsoRefused = await runCli(["audit", "re-anchor", "--accept-head", own], { cwd: dir });
    expect(alsoRefused.code).toBe(1);
    expect(alsoRefused.stderr).toMatch(
      /^switchboard: refused: entry #\d+ has hash [0-9a-f]{12}…, not [0-9a-f]{12}… as the checkpoint/m,
    );
    const verify = await runCli(["audit", "verify"], { cwd: dir });
    expect(verify.code).toBe(1);
    expect(verify.stdout).not.toMatch(/re-anchored/);
  }, 60_000);

  it("copies each Matrix adapter's data folder (session, device keys) and refuses a folder that is not empty", async () => {
    const temp = tempDir("switchboard-backup-");
    temps.push(temp);
    writeFileSync(join(temp.dir, "switchboard.yaml"), CONFIG);
    expect((await runCli(["shell", "--user", "alice"], { cwd: temp.dir, input: "ping\n" })).code).toBe(0);
    // The same database, now also configured with a Matrix adapter whose data folder holds a session.
    const matrix = [
      "adapters:",
      "  - { type: shell }",
      "  - { type: matrix, homeserver: https://matrix.example.org, userId: '@bot:example.org', accessToken: t0ken, dataDir: ./.switchboard/matrix-main }",
      "",
    ].join("\n");
    writeFileSync(join(temp.dir, "switchboard.yaml"), `${CONFIG}${matrix}`);
    mkdirSync(join(temp.dir, ".switchboard/matrix-main"), { recursive: true });
    writeFileSync(join(temp.dir, ".switchboard/matrix-main/session.json"), '{"deviceId":"DEV1"}');
    const backup = join(temp.dir, "b");
    const result = await runCli(["backup", backup], { cwd: temp.dir });
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    const manifest = JSON.parse(readFileSync(join(backup, "manifest.json"), "utf8")) as Manifest;
    const name = manifest.files[join(temp.dir, ".switchboard/matrix-main")];
    expect(name).toBeDefined();
    expect(readFileSync(join(backup, name!, "session.json"), "utf8")).toBe('{"deviceId":"DEV1"}');
    const again = await runCli(["backup", backup], { cwd: temp.dir });
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/is not empty: back up into a new folder/);
  });

  it("re-anchor refuses a log that already verifies, and a head that is not SEQ:HASH", async () => {
    const temp = tempDir("switchboard-backup-");
    temps.push(temp);
    writeFileSync(join(temp.dir, "switchboard.yaml"), CONFIG);
    expect((await runCli(["shell", "--user", "alice"], { cwd: temp.dir, input: "ping\n" })).code).toBe(0);
    const raw = new Database(join(temp.dir, ".switchboard/switchboard.db"), { readonly: true });
    const head = raw.prepare("SELECT seq || ':' || hash FROM audit ORDER BY seq DESC LIMIT 1").pluck().get() as string;
    raw.close();
    const nothing = await runCli(["audit", "re-anchor", "--accept-head", head], { cwd: temp.dir });
    expect(nothing.code).toBe(1);
    expect(nothing.stderr).toMatch(/nothing to re-anchor: audit verify passes/);
    const bare = await runCli(["audit", "re-anchor", "--accept-head", head.split(":")[1]!], { cwd: temp.dir });
    expect(bare.stderr).toMatch(/--accept-head wants SEQ:HASH/);
  });
});
