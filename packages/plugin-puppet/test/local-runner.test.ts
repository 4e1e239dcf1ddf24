/**
 * Real `puppet apply` (Debian's puppet 7) through the bot: three "hosts" (a confdir and vardir each) on this machine,
 * environments in git checkouts, one summary for the fleet.
 */
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { renderText } from "@switchboard/core";
import type { Harness } from "@switchboard/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  assertPuppet,
  installedGit,
  makeHosts,
  manifest,
  puppetHarness,
  tempDir,
  writeEnvironment,
} from "./fixtures.js";

describe("puppet noop / apply / status with the local runner and real puppet", { timeout: 180_000 }, () => {
  const temp = tempDir();
  const environments = join(temp.dir, "environments");
  const hostsDir = join(temp.dir, "hosts");
  let h: Harness;
  let gh13 = "";

  beforeAll(async () => {
    assertPuppet();
    writeEnvironment(environments, "production", manifest({ version: "2.39.2" }));
    gh13 = writeEnvironment(environments, "gh13", manifest({ version: "2.39.5", secret: "hunter2-s3cret" }));
    writeEnvironment(environments, "broken", manifest({ version: "2.39.5", brokenSource: ["fs3"] }));
    makeHosts(hostsDir, ["fs1", "fs2", "fs3", "db1"]);
    h = await puppetHarness({
      runner: { type: "local", hostsDir },
      environmentPath: environments,
      inventory: { hosts: ["fs1", "fs2", "fs3", "db1"], groups: { fileservers: ["fs*"] } },
    });
  });
  afterAll(async () => {
    await h?.close();
    temp.remove();
  });

  it("noop on three hosts: each identical change is one line with a short diff; the Sensitive value never shows", async () => {
    const reply = await h.as("bob").say("!puppet noop gh13 fileservers");
    expect(reply.text).toMatch(
      new RegExp(`✔ noop gh13 \\(${gh13.slice(0, 7)}\\) on fs1–fs3: 3 changes on 3 hosts pending, no failures`),
    );
    expect(reply.text).toContain("Package[git] ensure 2.39.2 → 2.39.5 on fs1–fs3");
    expect(reply.text).toContain("File[motd] content changed on fs1–fs3");
    expect(reply.text).toMatch(/-git 2\.39\.2\n\+git 2\.39\.5/);
    expect(reply.text).toContain("File[secret] content changed (sensitive, not shown) on fs1–fs3");
    expect(h.transcript()).not.toMatch(/hunter2|old-s3cret/);
    // Exactly one line per change, not one per host.
    expect(reply.text.match(/Package\[git\]/g)).toHaveLength(1);
    // Progress named each host as it finished.
    expect(h.transcript()).toMatch(/fs2: 3 changes pending/);
    // A noop changes nothing.
    for (const host of ["fs1", "fs2", "fs3"]) expect(installedGit(hostsDir, host)).toBe("2.39.2");
  });

  it("a summary longer than the room should see: the first lines there, all of it to the asker privately", async () => {
    const short = await puppetHarness({
      runner: { type: "local", hostsDir },
      environmentPath: environments,
      inventory: { hosts: ["fs1", "fs2", "fs3", "db1"] },
      output: { roomLines: 4, diffLines: 10 },
    });
    try {
      const reply = await short.as("bob").say("!puppet noop gh13 fs2");
      expect(reply.text).toMatch(/✔ noop gh13 \(\w{7}\) on fs2: 3 changes on 1 host pending/);
      expect(reply.text).toContain("Package[git] ensure 2.39.2 → 2.39.5 on fs2");
      expect(reply.text).not.toContain("File[secret]");
      expect(reply.text).toMatch(/… \d+ more lines: the whole summary was sent to bob privately/);
      const direct = short
        .adapter()
        .sent.filter((s) => s.target.room.direct && s.target.room.id === "@bob")
        .map((s) => renderText(s.message.blocks))
        .join("\n");
      expect(direct).toContain("File[secret] content changed (sensitive, not shown) on fs2");
      expect(direct).toMatch(/\+git 2\.39\.5/);
    } finally {
      await short.close();
    }
  });

  it("apply on one host changes it (and only it), showing what changed", async () => {
    const reply = await h.as("alice").say("!puppet apply gh13 fs1");
    expect(reply.text).toMatch(new RegExp(`✔ applied gh13 \\(${gh13.slice(0, 7)}\\) on fs1: 3 changes on 1 host`));
    expect(reply.text).toContain("Package[git] ensure 2.39.2 → 2.39.5 on fs1");
    expect(installedGit(hostsDir, "fs1")).toBe("2.39.5");
    expect(readFileSync(join(hostsDir, "fs1", "var", "secret"), "utf8")).toBe("hunter2-s3cret\n");
    expect(installedGit(hostsDir, "fs2")).toBe("2.39.2");
    expect(h.transcript()).not.toMatch(/hunter2|old-s3cret/);
    // Applied again: nothing left to do.
    const again = await h.as("alice").say("!puppet force gh13 fs1");
    expect(again.text).toMatch(/✔ applied gh13 \(\w{7}\) on fs1: no changes/);
  });

  it("a failing resource on one host: named with its message, the other hosts summarised", async () => {
    const reply = await h.as("bob").say("!puppet noop broken fileservers");
    expect(reply.text).toMatch(/✖ noop broken \(\w{7}\) on fs1–fs3: .* pending, 1 host failed: fs3/);
    expect(reply.text).toMatch(/✖ fs3: File\[broken\]: Could not retrieve information .*missing\.txt/);
    expect(reply.text).toContain("nothing pending on fs1");
    expect(reply.text).toContain("Package[git] ensure 2.39.2 → 2.39.5 on fs2, fs3");
    expect(reply.text).not.toMatch(/Facter|proc\/1\/environ/);
  });

  it("status shows each host's last run, from chat (with its job) and from outside chat", async () => {
    // A run nobody asked for in chat: puppet run by hand on db1.
    execFileSync(
      "puppet",
      [
        "apply",
        "--color=false",
        `--confdir=${join(hostsDir, "db1", "conf")}`,
        `--vardir=${join(hostsDir, "db1", "var")}`,
        `--publicdir=${join(hostsDir, "db1", "var", "public")}`,
        "--certname=db1",
        `--environmentpath=${environments}`,
        "--environment=production",
        `--logdest=${join(temp.dir, "by-hand.json")}`,
        join(environments, "production", "manifests"),
      ],
      { stdio: "ignore" },
    );
    expect(existsSync(join(hostsDir, "db1", "var", "public", "last_run_summary.yaml"))).toBe(true);
    const reply = await h.as("bob").say("!puppet status");
    const line = (host: string) => reply.text.split("\n").find((l) => l.startsWith(`${host} `)) ?? "";
    expect(line("fs1")).toMatch(/ago +broken +\w{7} +0 +0 +0 .*job \w{5} \(noop, bob\)/);
    expect(line("fs3")).toMatch(/ago +broken +\w{7} +0 +1 +\d+ .*job \w{5} \(noop, bob\)/);
    expect(line("db1")).toMatch(/ago +production +\d+ +\d+ +0 +0 .*outside chat/);
    await h.as("alice").say("!puppet apply gh13 fs2");
    const one = await h.as("bob").say("!puppet status fs2");
    const rows = one.text.split("\n").filter((l) => /^fs\d/.test(l));
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatch(new RegExp(`ago +gh13 +${gh13.slice(0, 7)} +\\d+ +0 +0 .*job \\w{5} \\(apply, alice\\)`));
  });

  it("hosts lists the inventory with groups", async () => {
    const reply = await h.as("bob").say("!puppet hosts");
    expect(reply.text).toMatch(/fs1 +fileservers +local/);
    expect(reply.text).toMatch(/db1 +local/);
    expect(reply.text).toContain("fileservers: fs1–fs3");
  });
});
