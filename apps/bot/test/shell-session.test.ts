import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { userInfo } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { assertBuilt, runCli, tempDir } from "./cli.js";

const login = userInfo().username;

describe("switchboard shell, piped, with the built-in default configuration", () => {
  const temp = tempDir();
  let result: Awaited<ReturnType<typeof runCli>>;

  beforeAll(async () => {
    assertBuilt();
    const input = [
      "help",
      "whoami",
      "why role grant bob admin",
      "why role grant bob owner",
      "/as bob",
      "role grant bob admin",
      "audit",
      `/as ${login}`,
      "audit",
    ];
    result = await runCli(["shell"], { cwd: temp.dir, input: `${input.join("\n")}\n` });
  });
  afterAll(() => temp.remove());

  it("exits 0 at the end of its input, with nothing on stderr", () => {
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
  });

  it("answers help with the commands the owner may run", () => {
    expect(result.stdout).toMatch(/^!help +List the commands you may run/m);
    expect(result.stdout).toMatch(/^!role grant +Give someone a role/m);
  });

  it("knows the OS login as the owner", () => {
    expect(result.stdout).toMatch(new RegExp(`you are: +${login} \\(principal ${login}\\)`));
    expect(result.stdout).toMatch(/roles: +owner/);
  });

  it("explains with why, and says when a role named in role grant does not exist", () => {
    // The built-in default has no role admin: the grant would be allowed, then fail.
    expect(result.stdout).toContain(
      '⚠ allowed, but it would fail: no role "admin" is defined (roles: owner, staff, guest)',
    );
    expect(result.stdout).toContain("✔ allowed: you hold role:grant via role owner (*) for command role grant");
    expect(result.stdout).toMatch(/decided by: +command role grant/);
  });

  it("switches speaker with /as, and a guest is denied with the reason", () => {
    expect(result.stdout).toContain("now speaking as bob\n");
    expect(result.stdout).toContain(
      "✖ denied: command role grant requires permission role:grant, and your roles (guest) do not grant it",
    );
    expect(result.stdout).toContain(
      "✖ denied: command audit requires permission audit:read, and your roles (guest) do not grant it",
    );
  });

  it("shows the audit log to the owner, with the denial in it", () => {
    const table = result.stdout.slice(result.stdout.lastIndexOf("now speaking as"));
    expect(table).toMatch(/#\s+time\s+job\s+event\s+actor\s+command\s+detail/);
    expect(table).toMatch(/denied\s+shell:bob\s+role grant\s+denied \(command role grant\)/);
  });

  it("logs to the log file, not the terminal", () => {
    expect(result.stdout).not.toContain('"level"');
    const log = readFileSync(join(temp.dir, ".switchboard/switchboard.log"), "utf8");
    expect(log).toContain('"msg":"adapter started"');
    expect(log).toContain('"reason":"end of input"');
  });

  it("closes the database cleanly: the write-ahead log is checkpointed and removed", () => {
    expect(existsSync(join(temp.dir, ".switchboard/switchboard.db"))).toBe(true);
    expect(existsSync(join(temp.dir, ".switchboard/switchboard.db-wal"))).toBe(false);
  });

  it("keeps the audit log across sessions (and its chain verifies)", async () => {
    const again = await runCli(["shell"], { cwd: temp.dir, input: "audit --limit 500\n" });
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(
      /denied\s+shell:bob\s+role grant\s+denied \(command role grant\): "role grant bob admin"/,
    );
    const verify = await runCli(["audit", "verify"], { cwd: temp.dir });
    expect(verify.stdout).toMatch(/^ok: \d+ entries, last hash [0-9a-f]{64}/);
    expect(verify.code).toBe(0);
  });
});

describe("switchboard shell with a configuration file", () => {
  const temp = tempDir();
  beforeAll(() => {
    assertBuilt();
    writeFileSync(
      join(temp.dir, "switchboard.yaml"),
      [
        "roles:",
        "  admin: { permissions: ['*'] }",
        "  deployer: { permissions: ['deploy:*'] }",
        "principals:",
        "  alice: { roles: [admin], identities: { shell: alice } }",
        "  bob: { identities: { shell: bob } }",
        "",
      ].join("\n"),
    );
  });
  afterAll(() => temp.remove());

  it("uses ./switchboard.yaml, --user picks the speaker, and role grants persist", async () => {
    const first = await runCli(["shell", "--user", "alice"], {
      cwd: temp.dir,
      input: "role grant bob deployer\n/as bob\nwhoami\nrole grant bob admin\n",
    });
    expect(first.code).toBe(0);
    expect(first.stdout).toContain("✔ bob now has role deployer");
    expect(first.stdout).toMatch(/roles: +deployer/);
    expect(first.stdout).toContain(
      "✖ denied: command role grant requires permission role:grant, and your roles (deployer) do not grant it",
    );
    const second = await runCli(["shell", "--user", "bob"], { cwd: temp.dir, input: "whoami\n" });
    expect(second.stdout).toMatch(/roles: +deployer/);
  });

  it("an unknown OS user is a guest (the default owner is only in the built-in default)", async () => {
    const result = await runCli(["shell"], { cwd: temp.dir, input: "audit\n" });
    expect(result.stdout).toContain("✖ denied: command audit requires permission audit:read");
  });
});
