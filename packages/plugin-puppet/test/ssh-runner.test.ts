/**
 * The ssh runner against a real OpenSSH server on loopback: the "agent" on the host is a stand-in `puppet` first on
 * the session's PATH that runs `puppet apply` for host fs1. Host keys come only from the configured known_hosts.
 */
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { type Sshd, startSshd } from "@switchboard/test-servers";
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

describe("puppet over ssh to a real sshd", { timeout: 180_000 }, () => {
  const temp = tempDir("puppet-ssh-");
  const environments = join(temp.dir, "environments");
  const hostsDir = join(temp.dir, "hosts");
  const agentLog = join(temp.dir, "agent-calls.log");
  const knownHosts = join(temp.dir, "known_hosts");
  let sshd: Sshd;
  let h: Harness;
  let gh13 = "";

  beforeAll(async () => {
    assertPuppet();
    writeEnvironment(environments, "production", manifest({ version: "2.39.2" }));
    gh13 = writeEnvironment(environments, "gh13", manifest({ version: "2.39.5" }));
    makeHosts(hostsDir, ["fs1"]);
    const host = join(hostsDir, "fs1");
    const bin = join(temp.dir, "bin");
    const wrapper = join(bin, "puppet");
    mkdirSync(bin, { recursive: true });
    const template = readFileSync(new URL("./fake-agent.sh", import.meta.url), "utf8");
    writeFileSync(
      wrapper,
      template
        .replaceAll("@HOST@", host)
        .replaceAll("@CERTNAME@", "fs1")
        .replaceAll("@ENVS@", environments)
        .replaceAll("@LOG@", agentLog),
    );
    chmodSync(wrapper, 0o755);
    sshd = await startSshd(temp.dir, bin);
    writeFileSync(
      knownHosts,
      [
        `[127.0.0.1]:${sshd.port} ${sshd.hostKey}`,
        `[localhost]:${sshd.port} ${sshd.otherHostKey}`, // fs2: a key that is not the server's
        "",
      ].join("\n"),
    );
    h = await puppetHarness({
      runner: {
        type: "ssh",
        port: sshd.port,
        identityFile: sshd.userKey,
        knownHostsFile: knownHosts,
        reportPath: `${host}/var/state/last_run_report.yaml`,
        summaryPath: `${host}/var/public/last_run_summary.yaml`,
        connectTimeout: "5s",
      },
      environmentPath: environments,
      inventory: {
        hosts: { fs1: { address: "127.0.0.1" }, fs2: { address: "localhost" }, fs3: { address: "127.0.0.2" } },
        groups: { fileservers: ["fs*"] },
      },
    });
  });
  afterAll(async () => {
    await h?.close();
    await sshd?.stop();
    temp.remove();
  });

  it("runs puppet agent over ssh with a fixed argv and reads the run's report", async () => {
    const reply = await h.as("bob").say("!puppet noop gh13 fs1");
    expect(reply.text).toMatch(new RegExp(`✔ noop gh13 \\(${gh13.slice(0, 7)}\\) on fs1: 2 changes on 1 host pending`));
    expect(reply.text).toContain("Package[git] ensure 2.39.2 → 2.39.5 on fs1");
    expect(reply.text).toMatch(/-git 2\.39\.2\n\+git 2\.39\.5/);
    const calls = readFileSync(agentLog, "utf8").trim().split("\n");
    expect(calls).toHaveLength(1);
    expect(calls[0]).toMatch(/^agent --test --noop --environment=gh13 --color=false --job-id=\w{5}$/);
    expect(installedGit(hostsDir, "fs1")).toBe("2.39.2");

    const applied = await h.as("alice").say("!puppet apply gh13 fs1");
    expect(applied.text).toMatch(/✔ applied gh13 \(\w{7}\) on fs1: 2 changes on 1 host/);
    expect(installedGit(hostsDir, "fs1")).toBe("2.39.5");
    expect(readFileSync(agentLog, "utf8")).toMatch(/agent --test --no-noop --environment=gh13/);

    const status = await h.as("bob").say("!puppet status fs1");
    expect(status.text).toMatch(/fs1 +\S+ ago +gh13 +\w{7} +2 +0 +0 .*job \w{5} \(apply, alice\)/);
  });

  it("refuses a host whose key does not match, and one whose key is unknown, learning neither", async () => {
    const before = readFileSync(knownHosts, "utf8");
    const calls = readFileSync(agentLog, "utf8");
    const reply = await h.as("bob").say("!puppet noop gh13 fileservers");
    expect(reply.text).toMatch(/✖ noop gh13 \(\w{7}\) on fs1–fs3: .*2 hosts failed: fs2, fs3/);
    expect(reply.text).toContain("✖ fs2: ssh refused: the host key does not match the known_hosts file");
    expect(reply.text).toContain("✖ fs3: ssh refused: the host key is not in the known_hosts file");
    // fs1 (already applied) has nothing left to do; the other two never ran anything.
    expect(reply.text).toContain("nothing pending on fs1");
    expect(readFileSync(agentLog, "utf8").split("\n").length).toBe(calls.split("\n").length + 1);
    expect(readFileSync(knownHosts, "utf8")).toBe(before);
    const status = await h.as("bob").say("!puppet status fs2");
    expect(status.text).toMatch(/fs2 +unreachable: ssh refused: the host key does not match/);
  });
});
