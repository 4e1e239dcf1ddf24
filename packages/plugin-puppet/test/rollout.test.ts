/**
 * Staged rollouts with real `puppet apply` on five local "hosts": the noop gate, canary then batches, the failure
 * threshold, a second rollout refused, cancel after the running batch, approval for production.
 */

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
  until,
  writeEnvironment,
} from "./fixtures.js";

const hosts = ["fs1", "fs2", "fs3", "fs4", "fs5"];

describe("puppet rollout with real puppet on five local hosts", { timeout: 240_000 }, () => {
  const temp = tempDir("puppet-rollout-");
  const environments = join(temp.dir, "environments");
  const hostsDir = join(temp.dir, "hosts");
  let h: Harness;

  beforeAll(async () => {
    assertPuppet();
    writeEnvironment(environments, "production", manifest({ version: "2.39.5" }));
    writeEnvironment(environments, "gh13", manifest({ version: "2.39.5" }));
    writeEnvironment(environments, "gh14", manifest({ version: "2.39.5", hostGit: { fs3: "2.39.5-broken" } }));
    makeHosts(hostsDir, hosts);
    h = await puppetHarness({
      runner: { type: "local", hostsDir },
      environmentPath: environments,
      inventory: { hosts, groups: { fileservers: ["fs*"], late: ["fs4", "fs5"] } },
      rollout: { batch: 2 },
    });
  });
  afterAll(async () => {
    await h?.close();
    temp.remove();
  });

  const git = () => hosts.map((host) => `${host}=${installedGit(hostsDir, host)}`).join(" ");
  /** The job of the newest message matching `pattern`. */
  const jobOf = (pattern: RegExp) =>
    h.adapter().sent.findLast((s) => s.message.jobId && pattern.test(renderText(s.message.blocks)))?.message.jobId;

  it("refuses a rollout without a recent noop, and --force without puppet:force", async () => {
    const reply = await h.as("alice").say("!puppet rollout gh14 fileservers");
    expect(reply.text).toMatch(
      /refusing to roll out gh14 to fileservers: no noop of gh14 on fs1–fs5\. Run "puppet noop gh14 fileservers" first/,
    );
    const forced = await h.as("bob").say("!puppet rollout gh14 fileservers --force");
    expect(forced.text).toMatch(/denied: .*puppet:apply/);
    const audit = await h.audit();
    expect(audit.some((e) => e.outcome === "denied" && e.rule === "puppet rollout needs a recent noop")).toBe(true);
    expect(git()).toBe("fs1=2.39.2 fs2=2.39.2 fs3=2.39.2 fs4=2.39.2 fs5=2.39.2");
  });

  it("runs the canary, then batches; a failing host stops it at the threshold, naming what is left", async () => {
    const noop = await h.as("bob").say("!puppet noop gh14 fileservers");
    expect(noop.text).toMatch(/✔ noop gh14 \(\w{7}\) on fs1–fs5: .*no failures/);
    expect(noop.text).toContain("Package[git] ensure 2.39.2 → 2.39.5-broken on fs3");
    const reply = await h.as("alice").say("!puppet rollout gh14 fileservers --max-failures 1");
    expect(reply.text).toMatch(
      /✖ rollout of gh14 \(\w{7}\) to fileservers stopped after batch 2 of 3: 1 host failed \(fs3; the limit is 1\)\. Done: fs1–fs3\. Not started: fs4, fs5/,
    );
    expect(reply.text).toMatch(/✖ fs3: Package\[git\]: change from '2\.39\.2' to '2\.39\.5-broken' failed/);
    expect(reply.text).toContain("fs3: skipped because a dependency failed: File[motd]");
    expect(git()).toBe("fs1=2.39.5 fs2=2.39.5 fs3=2.39.2 fs4=2.39.2 fs5=2.39.2");
    // The canary finished before the next batch started.
    const log = h.transcript();
    const canary = log.indexOf("batch 1/3 (canary): fs1");
    const canaryDone = log.indexOf("fs1: 2 changes applied");
    const second = log.indexOf("batch 2/3: fs2, fs3");
    expect(canary).toBeGreaterThanOrEqual(0);
    expect(canaryDone).toBeGreaterThan(canary);
    expect(second).toBeGreaterThan(canaryDone);
    expect(log).toContain("batch 2/3 done: 1/2 ok");
    // What it changed is in the audit log, with the hosts left.
    const record = (await h.audit()).find((e) => e.event === "plugin" && e.detail?.command === "puppet rollout");
    expect(record?.detail).toMatchObject({ env: "gh14", failed: ["fs3"], notStarted: ["fs4", "fs5"] });
  });

  it("refuses when the environment moved since the noop", async () => {
    writeEnvironment(environments, "gh14", manifest({ version: "2.39.6", hostGit: { fs3: "2.39.5-broken" } }));
    const reply = await h.as("alice").say("!puppet rollout gh14 fileservers");
    expect(reply.text).toMatch(/gh14 is now at \w{7}; the noop on fs1–fs5 ran at another commit/);
  });

  it("refuses a second rollout of the same environment and group; cancel stops after the running batch", async () => {
    const first = h.as("alice").say("!puppet rollout gh13 fileservers --force --batch 2 --canary fs3");
    await h.waitFor(/rolling out gh13 \(\w{7}\) to fileservers/, 60_000);
    const id = jobOf(/rolling out gh13/)!;
    expect(id).toMatch(/^\w{5}$/);
    const other = await h.as("dave").say("!puppet rollout gh13 fileservers --force");
    expect(other.text).toMatch(/a rollout of gh13 to fileservers is running: rollout of gh13 to fileservers by alice/);
    // The same person's second rollout is refused by the first job's own lock (not renewed as the person's).
    const again = await h.as("alice").say("!puppet rollout gh13 fileservers --force");
    expect(again.text).toContain(
      `a rollout of gh13 to fileservers is running: rollout of gh13 to fileservers by alice; its lock is held by alice (job ${id})`,
    );
    expect((await h.bot.store.listLocks()).map((l) => [l.name, l.owner])).toContainEqual([
      "puppet-rollout:gh13/fileservers",
      `alice (job ${id})`,
    ]);
    const overlapping = await h.as("dave").say("!puppet apply gh13 fs2");
    expect(overlapping.text).toMatch(/fs2 is busy: rollout of gh13 to fileservers by alice/);
    await h.as("alice").say(`!cancel ${id}`);
    await first;
    const stopped = await until(
      () =>
        h
          .transcript()
          .match(/rollout of gh13 \(\w{7}\) to fileservers stopped after batch 1 of 3: cancelled by alice[^\n]*/)?.[0],
      "the rollout's report",
    );
    expect(stopped).toMatch(/Done: fs3\. Not started: fs1, fs2, fs4, fs5/);
    // The canary was not killed halfway: it finished its run, and the report says what it changed.
    expect(h.transcript()).toContain("Package[git] ensure 2.39.2 → 2.39.5 on fs3\n");
    expect(installedGit(hostsDir, "fs3")).toBe("2.39.5");
    expect(installedGit(hostsDir, "fs4")).toBe("2.39.2");
    // The cancelled job's lock is gone: the next rollout is not refused for it.
    await h.idle();
    expect((await h.bot.store.listLocks()).filter((l) => l.name.startsWith("puppet-rollout:"))).toEqual([]);
    const after = await h.as("dave").say("!puppet rollout gh13 late");
    expect(after.text).toMatch(/no noop of gh13 on fs4, fs5/);
  });

  it("production needs approval; the request shows the noop summary; an approver starts it", async () => {
    await h.as("bob").say("!puppet noop production late");
    const asked = await h.as("alice").say("!puppet apply production late");
    expect(asked.text).toMatch(/needs 1 approval from someone with puppet:approve/);
    expect(asked.text).toMatch(
      /noop: +succeeded .*ago at \w{7} \(job \w{5}\): Package\[git\] ensure 2\.39\.2 → 2\.39\.5 on fs4, fs5/,
    );
    expect(asked.text).toContain("fs4 | fs5");
    expect(git()).toContain("fs4=2.39.2 fs5=2.39.2");
    const id = /approve (\w{5})/.exec(asked.text)![1]!;
    expect((await h.as("alice").say(`!approve ${id}`)).text).toMatch(/someone else/);
    await h.as("carol").say(`!approve ${id}`);
    await h.waitFor(/rolled out production \(\w{7}\) to late: 2 hosts in 2 batches/, 120_000);
    expect(git()).toContain("fs4=2.39.5 fs5=2.39.5");
  });
});
