import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { checkpointPublicKey, checkpointSigner, generateCheckpointKey, keyIdOf } from "@switchboard/core/audit";
import { openPostgres, type PostgresStorage } from "@switchboard/store-postgres";
import { startPostgres, type TestPostgres } from "@switchboard/test-servers";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { assertBuilt, runCli, tempDir } from "./cli.js";

/**
 * One audit chain for several instances on PostgreSQL, checked through the real CLI: two "machines" (folders with
 * their own audit key) run `switchboard shell` on one database, each signing checkpoints with its own key into
 * `audit_checkpoints`; `audit verify` on a third machine that has no key trusts them through `audit.trustedKeys`.
 * Then someone with the database's credentials tampers with SQL, and verify names what was done.
 */
describe("audit verify on PostgreSQL, two instances with two keys", () => {
  let postgres: TestPostgres;
  const root = tempDir("switchboard-audit-pg-");
  const machine = (name: string) => join(root.dir, name);
  const keyOf = (name: string) => join(machine(name), ".config/switchboard/audit-key");
  const keyIdOfMachine = (name: string) => keyIdOf(checkpointPublicKey(readFileSync(`${keyOf(name)}.pub`, "utf8")));
  const configFile = join(root.dir, "config/switchboard.yaml");
  const opened: PostgresStorage[] = [];
  let databases = 0;

  /** The configuration every machine uses; `trusted` lists the public keys copied into config/keys/. */
  function writeConfig(trusted: string[], retiredAt: Record<string, string> = {}) {
    const keys = trusted
      .map(
        (name) =>
          `    - { name: bot-${name}, publicKeyFile: keys/${name}.pub${retiredAt[name] ? `, retiredAt: "${retiredAt[name]}"` : ""} }`,
      )
      .join("\n");
    writeFileSync(
      configFile,
      [
        "store:",
        "  postgres:",
        // biome-ignore lint/suspicious/noTemplateCurlyInString: the configuration file's own ${VAR} interpolation
        "    url: ${DATABASE_URL}",
        "audit:",
        "  every: 2",
        ...(trusted.length ? ["  trustedKeys:", keys] : []),
        "adapters:",
        "  - type: shell",
        "roles:",
        '  owner: { permissions: ["*"] }',
        "  guest: { permissions: [] }",
        "guestRole: guest",
        "principals:",
        "  alice: { roles: [owner], identities: { shell: alice } }",
        "  bob: { roles: [], identities: { shell: bob } }",
        "",
      ].join("\n"),
    );
  }

  /** `switchboard <args>` on machine `name` (its own audit key under its folder) against database `url`. */
  const cli = (name: string, args: string[], url: string, input?: string) =>
    runCli([...args, "--config", configFile], {
      cwd: machine(name),
      env: { DATABASE_URL: url, XDG_CONFIG_HOME: join(machine(name), ".config") },
      ...(input === undefined ? {} : { input }),
      timeoutMs: 30_000,
    });

  /** A shell session of `pings` pings as alice on machine `name`. */
  async function session(name: string, url: string, pings: number) {
    const result = await cli(name, ["shell", "--user", "alice"], url, "ping\n".repeat(pings));
    expect(result.stderr).not.toMatch(/error/i);
    expect(result.code).toBe(0);
    return result;
  }

  /** A new database that machines a and b have both written to, with checkpoints signed by both keys. */
  async function written(): Promise<{ url: string; db: PostgresStorage }> {
    const url = await postgres.database(`audit_${++databases}`);
    await session("a", url, 3);
    await session("b", url, 2);
    const db = await openPostgres({ url });
    opened.push(db);
    return { url, db };
  }

  /** SQL as someone holding the bot's database credentials: the append-only triggers are turned off first. */
  async function tamper(db: PostgresStorage, sql: string, params: unknown[] = []) {
    await db.pool.query("ALTER TABLE audit DISABLE TRIGGER audit_no_update");
    await db.pool.query("ALTER TABLE audit_checkpoints DISABLE TRIGGER audit_checkpoints_no_update");
    await db.pool.query(sql, params);
    await db.pool.query("ALTER TABLE audit ENABLE TRIGGER audit_no_update");
    await db.pool.query("ALTER TABLE audit_checkpoints ENABLE TRIGGER audit_checkpoints_no_update");
  }

  async function lastSeq(db: PostgresStorage): Promise<number> {
    const { rows } = await db.pool.query<{ seq: string }>("SELECT max(seq) AS seq FROM audit");
    return Number(rows[0]!.seq);
  }

  beforeAll(async () => {
    assertBuilt();
    postgres = await startPostgres();
    for (const name of ["a", "b", "c", "v"]) mkdirSync(machine(name), { recursive: true });
    mkdirSync(join(root.dir, "config/keys"), { recursive: true });
    // Before any key is trusted: the first sessions make each machine's key.
    writeConfig([]);
    const url = await postgres.database("audit_first");
    await session("a", url, 1);
    await session("b", url, 1);
    // The operator copies each instance's public key next to the configuration and lists it.
    for (const name of ["a", "b"]) copyFileSync(`${keyOf(name)}.pub`, join(root.dir, `config/keys/${name}.pub`));
  }, 60_000);

  afterAll(async () => {
    for (const db of opened) await db.close();
    await postgres?.stop();
    root.remove();
  });

  it("without trustedKeys, the other instance's checkpoints are reported: nobody said to trust its key", async () => {
    const url = await postgres.database("audit_first");
    const result = await cli("a", ["audit", "verify"], url);
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(
      new RegExp(
        `^bad: checkpoint row \\d+ of audit_checkpoints \\(entry #\\d+, written by instance [^)]+\\): signed by key ${keyIdOfMachine("b")}, which audit.trustedKeys does not list`,
        "m",
      ),
    );
    expect(result.stdout).not.toContain(`key ${keyIdOfMachine("a")}, which`);
  });

  it("a trusted key that is a private key, or a file that is not there, is refused by config check and verify", async () => {
    const wrong = join(root.dir, "config/wrong.yaml");
    const url = await postgres.database("audit_first");
    writeFileSync(
      wrong,
      [
        "store: { postgres: { url: postgres://nobody@127.0.0.1:1/none } }",
        "audit:",
        "  trustedKeys:",
        `    - { name: bot-a, publicKeyFile: ${keyOf("a")} }`,
        "",
      ].join("\n"),
    );
    const check = await runCli(["config", "check", "--config", wrong], { cwd: machine("v") });
    expect(check.code).toBe(1);
    expect(check.stderr).toContain(
      "audit.trustedKeys: audit.trustedKeys[0] (bot-a) is a private key: list the public key (the .pub file beside the key) instead",
    );
    writeFileSync(
      wrong,
      `store: { postgres: { url: "${url}" } }\naudit: { trustedKeys: [{ name: bot-z, publicKeyFile: keys/z.pub }] }\n`,
    );
    const verify = await runCli(["audit", "verify", "--config", wrong], { cwd: machine("v") });
    expect(verify.code).toBe(1);
    expect(verify.stderr).toMatch(/audit\.trustedKeys\[0\] \(bot-z\): cannot read .*\/config\/keys\/z\.pub/);
  });

  it("with both keys trusted, a machine without a key verifies the chain against both instances' checkpoints", async () => {
    writeConfig(["a", "b"]);
    const { url, db } = await written();
    const { rows } = await db.pool.query<{ key_id: string; n: string }>(
      "SELECT key_id, count(*) AS n FROM audit_checkpoints GROUP BY key_id",
    );
    expect(new Set(rows.map((r) => r.key_id))).toEqual(new Set([keyIdOfMachine("a"), keyIdOfMachine("b")]));
    const last = await lastSeq(db);
    // 5 pings: admitted + outcome each.
    expect(last).toBe(10);
    const result = await cli("v", ["audit", "verify"], url);
    expect(result.stdout).toMatch(
      /^ok: 10 entries, last hash [0-9a-f]{64} \(postgres:\/\/127\.0\.0\.1:\d+\/audit_\d+\)$/m,
    );
    expect(result.stdout).toMatch(
      /^anchored: entry #10 matches the checkpoint signed at \S+ \(\d+ checkpoints in audit_checkpoints\)/m,
    );
    expect(result.stdout).toMatch(
      new RegExp(`^signer: key ${keyIdOfMachine("a")} \\(bot-a\\) signed \\d+ checkpoints`, "m"),
    );
    expect(result.stdout).toMatch(
      new RegExp(`^signer: key ${keyIdOfMachine("b")} \\(bot-b\\) signed \\d+ checkpoints`, "m"),
    );
    expect(result.code).toBe(0);
  }, 60_000);

  it("a role granted through one instance is kept when the other starts: the granting instance's checkpoint counts there", async () => {
    writeConfig(["a", "b"]);
    const { url } = await written();
    const grant = await cli("b", ["shell", "--user", "alice"], url, "role grant bob owner\n");
    expect(grant.stdout).toContain("bob now has role owner");
    // Machine a starts again: it checks runtime grants against the checkpoints, b's among them.
    await session("a", url, 1);
    const bob = await cli("a", ["shell", "--user", "bob"], url, "whoami\n");
    expect(bob.stdout).toMatch(/^roles:\s+owner$/m);
    const log = readFileSync(join(root.dir, "config/.switchboard/switchboard.log"), "utf8");
    expect(log).not.toContain("refused runtime role grant");
  }, 60_000);

  it("an edited entry is named", async () => {
    writeConfig(["a", "b"]);
    const { url, db } = await written();
    await tamper(db, `UPDATE audit SET body = replace(body, '"ping"', '"pong"') WHERE seq = 3`);
    const result = await cli("v", ["audit", "verify"], url);
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/^bad: entry #3: .*; 2 entries before it are intact/m);
  }, 60_000);

  it("a cut tail is caught by the other instance's checkpoint, even after new entries were chained on", async () => {
    writeConfig(["a", "b"]);
    const { url, db } = await written();
    // Cut after entry #6 (machine a's session) and move the head back, so the chain itself is intact.
    await tamper(db, "DELETE FROM audit WHERE seq > 6");
    await db.pool.query("UPDATE audit_head SET seq = 6, hash = (SELECT hash FROM audit WHERE seq = 6)");
    const cut = await cli("v", ["audit", "verify"], url);
    expect(cut.code).toBe(1);
    expect(cut.stdout).toMatch(
      /^bad: the log ends at entry #6, but the checkpoint of entry #\d+ signed at \S+ vouches for entry #\d+: the log was recomputed or cut off after entry #6/m,
    );
    // Whoever cut it lets the log grow again: the chain is intact, the checkpoints of #7 and on no longer match.
    const grown = await openPostgres({ url });
    opened.push(grown);
    await grown.auditLog.append(Array.from({ length: 6 }, () => ({ event: "plugin" as const })));
    const recomputed = await cli("v", ["audit", "verify"], url);
    expect(recomputed.code).toBe(1);
    expect(recomputed.stdout).toMatch(
      /^bad: entry #\d+ has hash [0-9a-f]{12}…, not [0-9a-f]{12}… as the checkpoint of entry #\d+ signed at \S+ says: the log was recomputed or cut off after entry #6/m,
    );
  }, 60_000);

  it("a forged checkpoint is reported: a bad signature in a trusted key's name, and a key nobody trusts", async () => {
    writeConfig(["a", "b"]);
    const { url, db } = await written();
    const { rows } = await db.pool.query<{ signature: string }>(
      "SELECT signature FROM audit_checkpoints WHERE key_id = $1 LIMIT 1",
      [keyIdOfMachine("b")],
    );
    // A checkpoint of an entry that does not exist yet, in b's name, with a signature b made for something else.
    const fakeHash = "f".repeat(64);
    await tamper(
      db,
      "INSERT INTO audit_checkpoints (seq, hash, time, key_id, signature, instance) VALUES (40, $1, $2, $3, $4, 'b')",
      [
        fakeHash,
        new Date().toISOString(),
        keyIdOfMachine("b"),
        rows[0]!.signature.replace(/^./, (c) => (c === "A" ? "B" : "A")),
      ],
    );
    // A properly signed checkpoint, by a key the attacker made.
    const mallory = checkpointSigner(generateCheckpointKey().privateKeyPem);
    const own = mallory.sign({ seq: 41, hash: fakeHash });
    await tamper(
      db,
      "INSERT INTO audit_checkpoints (seq, hash, time, key_id, signature, instance) VALUES ($1, $2, $3, $4, $5, 'a')",
      [own.seq, own.hash, own.time, own.keyId, own.signature],
    );
    const result = await cli("v", ["audit", "verify"], url);
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(
      new RegExp(
        `^bad: checkpoint row \\d+ of audit_checkpoints \\(entry #40, written by instance b\\): says it is signed by key ${keyIdOfMachine("b")} \\(bot-b\\), but the signature does not match: forged or edited$`,
        "m",
      ),
    );
    expect(result.stdout).toMatch(
      new RegExp(
        `^bad: checkpoint row \\d+ of audit_checkpoints \\(entry #41, written by instance a\\): signed by key ${mallory.keyId}, which audit.trustedKeys does not list`,
        "m",
      ),
    );
    // Neither forged row counts as a checkpoint: the log is not reported as cut off before #40.
    expect(result.stdout).not.toMatch(/the log ends at entry/);
    // An instance starting on this database says so in its log, and keeps signing its own checkpoints.
    await session("a", url, 1);
    const log = readFileSync(join(root.dir, "config/.switchboard/switchboard.log"), "utf8");
    expect(log).toMatch(
      /checkpoint row \d+ of audit_checkpoints \(entry #40, written by instance b\): says it is signed by key/,
    );
    const after = await db.pool.query<{ seq: string }>(
      "SELECT max(seq) AS seq FROM audit_checkpoints WHERE key_id = $1",
      [keyIdOfMachine("a")],
    );
    expect(after.rows[0]!.seq).toBe("12");
  }, 60_000);

  it("an instance whose key is not trusted gets its checkpoints reported, and is warned at start", async () => {
    writeConfig(["a", "b"]);
    const { url } = await written();
    const untrusted = await cli("c", ["shell", "--user", "alice"], url, "ping\n");
    expect(untrusted.code).toBe(0);
    const log = readFileSync(join(root.dir, "config/.switchboard/switchboard.log"), "utf8");
    expect(log).toContain(`this instance's audit key ${keyIdOfMachine("c")} is not in audit.trustedKeys`);
    const result = await cli("v", ["audit", "verify"], url);
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(
      new RegExp(
        `^bad: checkpoint row \\d+ of audit_checkpoints \\(entry #12, written by instance [^)]+\\): signed by key ${keyIdOfMachine("c")}, which audit.trustedKeys does not list`,
        "m",
      ),
    );
  }, 60_000);

  it("a retired key's earlier checkpoints still count; one it signs after its retirement is reported", async () => {
    writeConfig(["a", "b"]);
    const { url } = await written();
    writeConfig(["a", "b"], { b: new Date().toISOString() });
    await new Promise((resolve) => setTimeout(resolve, 20));
    await session("b", url, 1);
    const result = await cli("v", ["audit", "verify"], url);
    expect(result.code).toBe(1);
    // b's session after the retirement wrote #11 and #12 and signed #12 when it closed; the checkpoint it signs at
    // start reads the head while the shell's first command may already be written, so it may sign #11 too. Every
    // checkpoint it signed then is reported, and nothing else is.
    const bad = result.stdout.split("\n").filter((line) => line.startsWith("bad: "));
    const retired = new RegExp(
      `^bad: checkpoint row \\d+ of audit_checkpoints \\(entry #(11|12), written by instance [^)]+\\): signed by key ${keyIdOfMachine("b")} at \\S+, after it was retired at `,
    );
    expect(bad.length).toBeGreaterThanOrEqual(1);
    for (const line of bad) expect(line).toMatch(retired);
    expect(bad.some((line) => line.includes("(entry #12,"))).toBe(true);
    // Up to entry #10 the chain is vouched for, b's checkpoints of #8 and #10 among them.
    expect(result.stdout).toMatch(/^anchored: entry #10 matches/m);
  }, 60_000);

  it("a deleted checkpoint row is noted, not taken for tampering of entries; the instance's file copy still anchors", async () => {
    writeConfig(["a", "b"]);
    const { url, db } = await written();
    await tamper(db, "DELETE FROM audit_checkpoints WHERE key_id = $1", [keyIdOfMachine("a")]);
    const onA = await cli("a", ["audit", "verify"], url);
    expect(onA.stdout).toMatch(
      new RegExp(
        `^deleted: the checkpoint of entry #\\d+ signed at \\S+ by key ${keyIdOfMachine("a")} is in .* but no longer in audit_checkpoints`,
        "m",
      ),
    );
    expect(onA.stdout).toMatch(/^ok: 10 entries/m);
    expect(onA.code).toBe(0);

    // Every row deleted and the tail cut: the table vouches for nothing, machine a's file still does.
    await tamper(db, "DELETE FROM audit_checkpoints");
    await tamper(db, "DELETE FROM audit WHERE seq > 4");
    await db.pool.query("UPDATE audit_head SET seq = 4, hash = (SELECT hash FROM audit WHERE seq = 4)");
    const onV = await cli("v", ["audit", "verify"], url);
    expect(onV.code).toBe(1);
    expect(onV.stdout).toMatch(
      /^bad: no checkpoint vouches for this log: neither audit_checkpoints nor .* holds a valid checkpoint of a trusted key/m,
    );
    const cutOnA = await cli("a", ["audit", "verify"], url);
    expect(cutOnA.code).toBe(1);
    // a's file holds the checkpoint of #6 (signed when its session closed), and maybe #5 (see above): either is past
    // the cut, and the first past it is named.
    expect(cutOnA.stdout).toMatch(/^bad: the log ends at entry #4, but the checkpoint of entry #[56] /m);
  }, 60_000);

  // Last: it replaces machine b's key.
  it("audit rotate-key on one instance: the new key signs the head into the table; listed beside the retired one, verify passes", async () => {
    writeConfig(["a", "b"]);
    const { url, db } = await written();
    const oldKey = keyIdOfMachine("b");
    const rotated = await cli("b", ["audit", "rotate-key", "--reason", "yearly"], url);
    expect(rotated.stdout).toMatch(/^rotated: /m);
    expect(rotated.code).toBe(0);
    const newKey = keyIdOfMachine("b");
    expect(newKey).not.toBe(oldKey);
    const { rows } = await db.pool.query<{ key_id: string; seq: string }>(
      "SELECT key_id, seq FROM audit_checkpoints ORDER BY id DESC LIMIT 1",
    );
    // The operator entry (#11) is signed with the new key, in the table where every machine reads it.
    expect(rows[0]).toEqual({ key_id: newKey, seq: "11" });
    // Until the new key is listed, its row is reported.
    const unlisted = await cli("v", ["audit", "verify"], url);
    expect(unlisted.code).toBe(1);
    expect(unlisted.stdout).toContain(`signed by key ${newKey}, which audit.trustedKeys does not list`);
    // The operator lists the new .pub and marks the old key retired now: everything verifies on a keyless machine.
    copyFileSync(`${keyOf("b")}.pub`, join(root.dir, "config/keys/b2.pub"));
    writeFileSync(
      configFile,
      readFileSync(configFile, "utf8").replace(
        "    - { name: bot-b, publicKeyFile: keys/b.pub }",
        `    - { name: bot-b, publicKeyFile: keys/b.pub, retiredAt: "${new Date().toISOString()}" }\n    - { name: bot-b-2026, publicKeyFile: keys/b2.pub }`,
      ),
    );
    const listed = await cli("v", ["audit", "verify"], url);
    expect(listed.stdout).toMatch(/^ok: 11 entries/m);
    expect(listed.stdout).toMatch(new RegExp(`^signer: key ${newKey} \\(bot-b-2026\\) signed 1 checkpoint in`, "m"));
    expect(listed.code).toBe(0);
  }, 60_000);
});
