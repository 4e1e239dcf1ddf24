/**
 * Audit key rotation as an operator does it: `audit rotate-key` makes a new key cross-signed by the old one; the
 * old key's checkpoints and the new key's both verify; a runtime role grant survives; a missing key at start is an
 * error naming the two ways out, never a silent new key; `--lost-key` replaces a lost key on purpose.
 */
import { appendFileSync, existsSync, readdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { checkpointSigner, generateCheckpointKey } from "@switchboard/core/audit";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { assertBuilt, runCli, tempDir } from "./cli.js";

const CONFIG = [
  "audit: { every: 4 }",
  "roles:",
  "  admin: { permissions: ['*'] }",
  "  staff: { permissions: ['jobs:read'] }",
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

/** A folder where alice granted bob `staff` and pinged a few times (checkpoints signed by the first key). */
async function botWithGrant(): Promise<{ dir: string; key: string; checkpoints: () => string }> {
  const temp = tempDir("switchboard-rotate-");
  temps.push(temp);
  writeFileSync(join(temp.dir, "switchboard.yaml"), CONFIG);
  const session = await runCli(["shell", "--user", "alice"], {
    cwd: temp.dir,
    input: "role grant bob staff\nping\nping\nping\n",
  });
  expect(session.code).toBe(0);
  const folder = join(temp.dir, ".config/switchboard");
  return {
    dir: temp.dir,
    key: join(folder, "audit-key"),
    checkpoints: () => {
      const [file] = readdirSync(join(folder, "checkpoints")).filter(
        (f) => f.endsWith(".jsonl") && !f.includes("reanchors"),
      );
      return readFileSync(join(folder, "checkpoints", file!), "utf8");
    },
  };
}

const keyIds = (text: string) => [
  ...new Set(
    text
      .trim()
      .split("\n")
      .map((l) => (JSON.parse(l) as { keyId: string }).keyId),
  ),
];
const bobsRoles = async (dir: string) =>
  (await runCli(["shell", "--user", "bob"], { cwd: dir, input: "whoami\n" })).stdout;

describe("switchboard audit rotate-key", () => {
  it("makes a new key cross-signed by the old; old and new checkpoints verify; bob keeps staff", async () => {
    const bot = await botWithGrant();
    const oldKey = readFileSync(bot.key, "utf8");
    const [oldId] = keyIds(bot.checkpoints());
    const rotated = await runCli(["audit", "rotate-key", "--reason", "yearly"], { cwd: bot.dir });
    expect(rotated.stderr).toBe("");
    expect(rotated.code).toBe(0);
    expect(rotated.stdout).toMatch(
      new RegExp(`^rotated: \\S+ rotated the audit key from ${oldId} to [0-9a-f]{16} \\(yearly\\)$`, "m"),
    );
    expect(readFileSync(bot.key, "utf8")).not.toBe(oldKey);
    expect(readFileSync(`${bot.key}.retired-${oldId}`, "utf8")).toBe(oldKey);

    // The bot runs on with the new key: bob's runtime grant is still trusted.
    expect(await bobsRoles(bot.dir)).toMatch(/staff/);
    const ids = keyIds(bot.checkpoints());
    expect(ids).toHaveLength(2);
    expect(ids[0]).toBe(oldId);

    const verify = await runCli(["audit", "verify"], { cwd: bot.dir });
    expect(verify.stdout).toMatch(/^ok: /);
    expect(verify.code).toBe(0);
    expect(verify.stdout).toMatch(
      new RegExp(
        `^key: ${oldId} was retired at \\S+ by \\S+ for ${ids[1]} \\(cross-signed by both keys; yearly\\)$`,
        "m",
      ),
    );
    expect(verify.stdout).toMatch(/^grants: 1 runtime role grants, each backed by a trusted audit entry$/m);
    // An old checkpoint still vouches: cutting the log below the newest checkpoint is still caught.
    expect(verify.stdout).toMatch(/^anchored: /m);
  }, 60_000);

  it("attack: a forged rotation record appended after the real one changes nothing", async () => {
    const bot = await botWithGrant();
    expect((await runCli(["audit", "rotate-key"], { cwd: bot.dir })).code).toBe(0);
    const [genuine] = readFileSync(`${bot.key}.rotations.jsonl`, "utf8").trim().split("\n");
    const forged = { ...JSON.parse(genuine!), from: "0".repeat(16), fromSignature: "AAAA", toSignature: "AAAA" };
    appendFileSync(`${bot.key}.rotations.jsonl`, `${JSON.stringify(forged)}\n`);
    const verify = await runCli(["audit", "verify"], { cwd: bot.dir });
    expect(verify.code).toBe(0);
    expect(verify.stdout).toMatch(
      /^key: [0-9a-f]{16} was retired .* \(cross-signed by both keys; scheduled rotation\)$/m,
    );
    expect(verify.stdout).not.toContain("0".repeat(16));
  }, 60_000);

  it("attack: a checkpoint signed with the retired key after the rotation is refused", async () => {
    const bot = await botWithGrant();
    const [oldId] = keyIds(bot.checkpoints());
    expect((await runCli(["audit", "rotate-key"], { cwd: bot.dir })).code).toBe(0);
    const retired = readFileSync(`${bot.key}.retired-${oldId}`, "utf8");
    const last = JSON.parse(bot.checkpoints().trim().split("\n").at(-1)!) as { seq: number; hash: string };
    const late = checkpointSigner(retired).sign({ seq: last.seq, hash: last.hash });
    const folder = join(bot.dir, ".config/switchboard/checkpoints");
    const file = readdirSync(folder).find((f) => !f.includes("reanchors"))!;
    appendFileSync(join(folder, file), `${JSON.stringify(late)}\n`);
    const verify = await runCli(["audit", "verify"], { cwd: bot.dir });
    expect(verify.code).toBe(1);
    expect(verify.stdout).toMatch(
      new RegExp(`^bad: checkpoint line \\d+ of .*: signed by key ${oldId} at \\S+, after it was retired at`, "m"),
    );
  }, 60_000);

  it("a missing key at start is an error naming both ways out; no new key is made behind the operator's back", async () => {
    const bot = await botWithGrant();
    renameSync(bot.key, `${bot.key}.aside`);
    const start = await runCli(["shell", "--user", "bob"], { cwd: bot.dir, input: "whoami\n" });
    expect(start.code).toBe(1);
    expect(start.stderr).toMatch(/the audit key \S+ is missing, but one was in use/);
    expect(start.stderr).toMatch(/restore the key from your backup/);
    expect(start.stderr).toMatch(/\.\/switchboard audit rotate-key --lost-key/);
    expect(existsSync(bot.key)).toBe(false);

    // Way out 1: put it back.
    renameSync(`${bot.key}.aside`, bot.key);
    expect(await bobsRoles(bot.dir)).toMatch(/staff/);
  }, 60_000);

  it("--lost-key replaces a lost key on purpose: old checkpoints still checked with the kept .pub, grants kept", async () => {
    const bot = await botWithGrant();
    const [oldId] = keyIds(bot.checkpoints());
    renameSync(bot.key, `${bot.key}.gone`);
    const rotated = await runCli(["audit", "rotate-key", "--lost-key"], { cwd: bot.dir });
    expect(rotated.stderr).toBe("");
    expect(rotated.code).toBe(0);
    expect(await bobsRoles(bot.dir)).toMatch(/staff/);
    const verify = await runCli(["audit", "verify"], { cwd: bot.dir });
    expect(verify.code).toBe(0);
    expect(verify.stdout).toMatch(
      new RegExp(
        `^key: ${oldId} was retired .* \\(the old key was lost: signed by the new key only; the old key was lost\\)$`,
        "m",
      ),
    );
  }, 60_000);

  it("attack: a rotation record with a forged old-key signature leads nowhere; the replaced key is refused", async () => {
    const bot = await botWithGrant();
    // Someone with write access swaps in their own key and claims a rotation the old key never signed.
    const own = generateCheckpointKey();
    const [oldId] = keyIds(bot.checkpoints());
    const pub = readFileSync(`${bot.key}.pub`, "utf8");
    writeFileSync(
      `${bot.key}.rotations.jsonl`,
      `${JSON.stringify({ from: oldId, fromPublicKey: pub, to: "x", toPublicKey: own.publicKeyPem, time: new Date().toISOString(), by: "mallory", reason: "", fromSignature: "AAAA", toSignature: "AAAA" })}\n`,
    );
    writeFileSync(bot.key, own.privateKeyPem, { mode: 0o600 });
    writeFileSync(`${bot.key}.pub`, own.publicKeyPem);
    const verify = await runCli(["audit", "verify"], { cwd: bot.dir });
    expect(verify.code).toBe(1);
    expect(verify.stdout).toMatch(/^bad: checkpoint line 1 of .*: signed by key [0-9a-f]{16}, not by this key/m);
  }, 60_000);
});
