import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { notProvisioned, requireBinary } from "@switchboard/test-servers";
import { describe, expect, it } from "vitest";

const repo = new URL("../../..", import.meta.url).pathname;

describe("a server the tests need but the machine lacks", () => {
  it("fails the test with the one command that provisions every server", () => {
    expect(() => requireBinary("switchboard-no-such-server")).toThrow(
      "switchboard-no-such-server is not installed. The tests use real servers; provision them with `sh scripts/test-servers.sh`",
    );
    expect(notProvisioned("x").message).toContain("`npm test` runs it first");
  });

  it("finds binaries in the sbin folders too", () => {
    expect(requireBinary("sh")).toMatch(/\/sh$/);
  });
});

describe("scripts/test-servers.sh", () => {
  const run = (args: string[], env: Record<string, string> = {}) => {
    const logs = mkdtempSync(join(tmpdir(), "test-servers-log-"));
    const result = spawnSync("sh", ["scripts/test-servers.sh", ...args], {
      cwd: repo,
      encoding: "utf8",
      env: { ...process.env, SWITCHBOARD_LOG_DIR: logs, ...env },
    });
    return { ...result, log: join(logs, "test-servers.log") };
  };

  it("prints one line per step with its time, and names what is missing with the command to run", () => {
    const missing = join(mkdtempSync(join(tmpdir(), "no-chroot-")), "chroot");
    const result = run(["--check"], { SWITCHBOARD_SYNAPSE_CHROOT: missing });
    expect(result.status).toBe(1);
    const lines = result.stdout.trim().split("\n");
    expect(lines.length).toBe(2);
    for (const line of lines) expect(line).toMatch(/^test-servers: .* … \d+(\.\d)?s$/);
    expect(lines[1]).toContain(`Synapse chroot: not built (${missing})`);
    expect(result.stderr).toContain(`sudo sh packages/test-servers/synapse/prepare-chroot.sh ${missing}`);
    expect(readFileSync(result.log, "utf8")).toBe("");
  });

  it("keeps its Debian package list in one place, one commented group per line", () => {
    const script = readFileSync(join(repo, "scripts/test-servers.sh"), "utf8");
    const list = /DEBIAN_PACKAGES='\n([^']*)'/.exec(script)?.[1] ?? "";
    const groups = list.trim().split("\n");
    for (const group of groups) expect(group).toMatch(/^[a-z0-9+.\- ]+ +# \S/);
    const packages = groups.flatMap((group) => group.split("#")[0]!.trim().split(/ +/));
    expect(packages).toEqual(
      expect.arrayContaining(["ngircd", "inspircd", "atheme-services", "openssl", "debootstrap"]),
    );
    expect(execFileSync("sh", ["-n", join(repo, "scripts/test-servers.sh")], { encoding: "utf8" })).toBe("");
  });
});
