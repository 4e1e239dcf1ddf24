/**
 * Attacks on the audit log by someone who can write the database file (and, in one case, also has the key), and
 * what `switchboard audit verify` and the next start make of them.
 */
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { AuditEntry } from "@switchboard/core";
import {
  canonicalJson,
  checkpointSigner,
  formatCheckpointLine,
  GENESIS_HASH,
  hashEntry,
} from "@switchboard/core/audit";
import Database from "better-sqlite3";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { assertBuilt, runCli, tempDir } from "./cli.js";

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

/**
 * A working directory where alice ran a session: 13 entries (a ping is 2, the role grant 3: admitted, role,
 * outcome), checkpoints at #4, #8, #10 (at once after the role change) and #13 (at shutdown).
 */
async function botThatRan(): Promise<{ dir: string; db: string; checkpoints: string; key: string }> {
  const temp = tempDir("switchboard-anchor-");
  temps.push(temp);
  writeFileSync(join(temp.dir, "switchboard.yaml"), CONFIG);
  const session = await runCli(["shell", "--user", "alice"], {
    cwd: temp.dir,
    input: "ping\nping\nping\nping\nrole grant bob deployer\nping\n",
  });
  expect(session.code).toBe(0);
  const folder = join(temp.dir, ".config/switchboard/checkpoints");
  const [file] = readdirSync(folder);
  return {
    dir: temp.dir,
    db: join(temp.dir, ".switchboard/switchboard.db"),
    checkpoints: join(folder, file!),
    key: join(temp.dir, ".config/switchboard/audit-key"),
  };
}

const verify = (dir: string, ...args: string[]) => runCli(["audit", "verify", ...args], { cwd: dir });
const checkpointSeqs = (file: string) =>
  readFileSync(file, "utf8")
    .trimEnd()
    .split("\n")
    .map((line) => (JSON.parse(line) as { seq: number }).seq);

/** The attacker's connection: the triggers that refuse UPDATE and DELETE are dropped first. */
function openAsAttacker(db: string): Database.Database {
  const raw = new Database(db);
  raw.exec("DROP TRIGGER IF EXISTS audit_no_update; DROP TRIGGER IF EXISTS audit_no_delete;");
  return raw;
}

/** Changes entry `seq` and recomputes every later hash, so the chain itself is intact again. */
function editAndRecompute(db: string, seq: number, edit: (entry: AuditEntry) => AuditEntry): void {
  const raw = openAsAttacker(db);
  const rows = (raw.prepare("SELECT body FROM audit ORDER BY seq").pluck().all() as string[]).map(
    (body) => JSON.parse(body) as AuditEntry,
  );
  const update = raw.prepare("UPDATE audit SET actor = ?, prev_hash = ?, hash = ?, body = ? WHERE seq = ?");
  let prevHash = seq > 1 ? rows[seq - 2]!.hash : GENESIS_HASH;
  for (const original of rows.slice(seq - 1)) {
    const { hash: _old, ...rest } = original.seq === seq ? edit(original) : original;
    const entry = { ...rest, prevHash };
    const hash = hashEntry(entry);
    update.run(entry.actor ?? null, prevHash, hash, canonicalJson({ ...entry, hash }), entry.seq);
    prevHash = hash;
  }
  raw.close();
}

/** Appends an entry after the last one, chained correctly (what anyone with the file can compute). */
function appendForged(db: string, record: Partial<AuditEntry>): void {
  const raw = openAsAttacker(db);
  const last = JSON.parse(raw.prepare("SELECT body FROM audit ORDER BY seq DESC LIMIT 1").pluck().get() as string);
  const entry = { ...record, seq: last.seq + 1, time: new Date().toISOString(), prevHash: last.hash } as AuditEntry;
  const hash = hashEntry(entry);
  raw
    .prepare(
      "INSERT INTO audit (seq, time, event, actor, command, prev_hash, hash, body) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
    )
    .run(
      entry.seq,
      entry.time,
      entry.event,
      entry.actor ?? null,
      entry.command ?? null,
      entry.prevHash,
      hash,
      canonicalJson({ ...entry, hash }),
    );
  raw.close();
}

describe("audit verify against signed checkpoints", () => {
  beforeAll(() => assertBuilt());

  it("an untouched log matches its newest checkpoint; the key is private and outside the data folder", async () => {
    const bot = await botThatRan();
    expect(checkpointSeqs(bot.checkpoints)).toEqual([4, 8, 10, 13]);
    const result = await verify(bot.dir);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^ok: 13 entries, last hash [0-9a-f]{64} \(/);
    expect(result.stdout).toMatch(
      /^anchored: entry #13 matches the checkpoint signed at .* \(4 checkpoints in .*\); 0 newer entries are not checkpointed yet$/m,
    );
    expect(result.stdout).toMatch(/^grants: 1 runtime role grants, each backed by a trusted audit entry$/m);
    const { statSync } = await import("node:fs");
    expect(statSync(bot.key).mode & 0o777).toBe(0o600);
    expect(statSync(join(bot.dir, ".config/switchboard")).mode & 0o777).toBe(0o700);
  });

  it("attack: edit a row and recompute every later hash with the triggers dropped — verify names the checkpoint", async () => {
    const bot = await botThatRan();
    // Hide the role grant: entry #9 is "role grant bob deployer" being admitted.
    editAndRecompute(bot.db, 9, (entry) => {
      expect(entry.detail?.text).toBe("role grant bob deployer");
      return { ...entry, detail: { ...entry.detail, text: "ping" } };
    });
    const result = await verify(bot.dir);
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(
      /^bad: entry #10 has hash [0-9a-f]{12}…, not [0-9a-f]{12}… as the checkpoint of entry #10 signed at \S+ says: the log was recomputed or cut off after entry #8 \(/,
    );
  });

  it("attack: delete the newest entries — verify reports the cut", async () => {
    const bot = await botThatRan();
    const raw = openAsAttacker(bot.db);
    raw.prepare("DELETE FROM audit WHERE seq > 9").run();
    raw.close();
    const result = await verify(bot.dir);
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(
      /^bad: the log ends at entry #9, but the checkpoint of entry #10 signed at \S+ vouches for entry #10: the log was recomputed or cut off after entry #8 \(/,
    );
  });

  it("attack: forge a checkpoint line without the key — a bad signature", async () => {
    const bot = await botThatRan();
    const raw = openAsAttacker(bot.db);
    raw.prepare("DELETE FROM audit WHERE seq > 9").run();
    const head = JSON.parse(raw.prepare("SELECT body FROM audit WHERE seq = 9").pluck().get() as string) as AuditEntry;
    raw.close();
    // Make the cut look anchored: a checkpoint of #9 with a copied signature, and one signed with the attacker's key.
    const [last] = readFileSync(bot.checkpoints, "utf8").trimEnd().split("\n").slice(-1);
    const copied = { ...JSON.parse(last!), seq: 9, hash: head.hash };
    const { generateCheckpointKey } = await import("@switchboard/core/audit");
    const own = checkpointSigner(generateCheckpointKey().privateKeyPem).sign({ seq: 9, hash: head.hash });
    writeFileSync(bot.checkpoints, `${JSON.stringify(copied)}\n${formatCheckpointLine(own)}`, { flag: "a" });
    const result = await verify(bot.dir);
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(
      /^bad: checkpoint line 5 of .* \(entry #9\): its signature does not match \(forged or edited\)$/m,
    );
    expect(result.stdout).toMatch(
      /^bad: checkpoint line 6 of .* \(entry #9\): signed by key [0-9a-f]{16}, not by this key/m,
    );
    expect(result.stdout).toMatch(/^bad: the log ends at entry #9, but the checkpoint of entry #10/m);
  });

  it("attack: delete the key (and its .pub) — the checkpoints are still there, and verify says it cannot check them", async () => {
    const bot = await botThatRan();
    const { rmSync } = await import("node:fs");
    rmSync(bot.key);
    rmSync(`${bot.key}.pub`);
    const result = await verify(bot.dir);
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/^bad: .*\.jsonl holds checkpoints, but there is no audit key at .* to check them/m);
  });

  it("--head: a head someone kept still catches an attacker who has the database and the key", async () => {
    const bot = await botThatRan();
    const before = await verify(bot.dir);
    const kept = /last hash ([0-9a-f]{64})/.exec(before.stdout)![1]!;
    const ok = await verify(bot.dir, "--head", `13:${kept}`);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toMatch(new RegExp(`^head: entry #13 has the kept hash ${kept}$`, "m"));
    expect((await verify(bot.dir, "--head", kept)).code).toBe(0);

    // With the key, the attacker rewrites the log and re-signs the checkpoint file: checkpoints alone cannot tell.
    editAndRecompute(bot.db, 9, (entry) => ({ ...entry, detail: { ...entry.detail, text: "ping" } }));
    const raw = new Database(bot.db, { readonly: true });
    const heads = raw.prepare("SELECT seq, hash FROM audit WHERE seq IN (4, 8, 10, 13) ORDER BY seq").all() as Array<{
      seq: number;
      hash: string;
    }>;
    raw.close();
    const signer = checkpointSigner(readFileSync(bot.key, "utf8"));
    writeFileSync(bot.checkpoints, heads.map((head) => formatCheckpointLine(signer.sign(head))).join(""));
    expect((await verify(bot.dir)).code).toBe(0);

    const caught = await verify(bot.dir, "--head", `13:${kept}`);
    expect(caught.code).toBe(1);
    expect(caught.stdout).toMatch(
      new RegExp(
        `^bad: entry #13 has hash [0-9a-f]{12}…, not the kept head #13 ${kept.slice(0, 12)}…: the log was recomputed or cut off at or before entry #13`,
      ),
    );
    const byHash = await verify(bot.dir, "--head", kept);
    expect(byHash.code).toBe(1);
    expect(byHash.stdout).toMatch(/^bad: no entry up to #13 has the kept head [0-9a-f]{12}…/);
    expect((await verify(bot.dir, "--head", "nonsense")).stderr).toContain("--head wants a 64-digit hex hash");
  });
});

describe("runtime role grants against the verified chain", () => {
  beforeAll(() => assertBuilt());

  const grantStraightIntoStore = (db: string, who: string, role: string, by: string) => {
    const raw = new Database(db);
    raw.prepare("INSERT INTO kv (namespace, key, value) VALUES ('role-grants', ?, ?)").run(who, JSON.stringify([role]));
    raw
      .prepare("INSERT INTO kv (namespace, key, value) VALUES ('role-grantors', ?, ?)")
      .run(`${who}\u0000${role}`, JSON.stringify(by));
    raw.close();
  };

  it("attack: a role grant inserted directly into the store is refused at start and reported", async () => {
    const bot = await botThatRan();
    grantStraightIntoStore(bot.db, "shell:carol", "admin", "alice");

    const verified = await verify(bot.dir);
    expect(verified.code).toBe(1);
    expect(verified.stdout).toMatch(
      /^bad: runtime grant of role admin to shell:carol \(by alice\): no audit entry grants it; the bot refuses it at start$/m,
    );

    const asCarol = await runCli(["shell", "--user", "carol"], {
      cwd: bot.dir,
      input: "whoami\nrole grant carol admin\n",
    });
    expect(asCarol.stdout).toMatch(/roles: +guest$/m);
    expect(asCarol.stdout).toContain("✖ denied: command role grant requires permission role:grant");
    const asBob = await runCli(["shell", "--user", "bob"], { cwd: bot.dir, input: "whoami\n" });
    expect(asBob.stdout).toMatch(/roles: +deployer$/m); // the audited grant stays
    const log = readFileSync(join(bot.dir, ".switchboard/switchboard.log"), "utf8");
    expect(log).toContain("refused runtime role grant: admin for shell:carol: no audit entry grants it");
    const tail = await runCli(["audit", "tail", "-n", "20", "--json"], { cwd: bot.dir });
    const refusal = tail.stdout
      .trimEnd()
      .split("\n")
      .map((line) => JSON.parse(line) as AuditEntry)
      .find((entry) => entry.detail?.change === "refused");
    expect(refusal).toMatchObject({
      event: "role",
      command: "role check",
      detail: { role: "admin", target: "shell:carol", claimedGrantor: "alice", reason: "no audit entry grants it" },
    });
    // Removed from the store and recorded: the log verifies again, with the refusal in it.
    expect((await verify(bot.dir)).code).toBe(0);
  });

  it("attack: a forged role grant entry appended after the last checkpoint does not make an inserted grant count", async () => {
    const bot = await botThatRan();
    appendForged(bot.db, {
      event: "role",
      actor: "alice",
      command: "role grant",
      detail: { change: "grant", role: "admin", target: "shell:carol" },
    });
    grantStraightIntoStore(bot.db, "shell:carol", "admin", "alice");
    const verified = await verify(bot.dir);
    expect(verified.stdout).toMatch(
      /^bad: runtime grant of role admin to shell:carol \(by alice\): its audit entry #14 is not vouched for by a checkpoint \(the log is trusted up to entry #13\)/m,
    );
    const asCarol = await runCli(["shell", "--user", "carol"], { cwd: bot.dir, input: "whoami\n" });
    expect(asCarol.stdout).toMatch(/roles: +guest$/m);
  });
});
