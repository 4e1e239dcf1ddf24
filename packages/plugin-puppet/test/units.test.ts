/**
 * The plugin's pure parts: the branch → environment rule, host ranges, puppet's JSON log and summary, and the noop
 * gate's age and commit rules (on core's in-memory store).
 */
import { MemoryStore, puppetEnvironmentFor, refProblem } from "@switchboard/core";
import { describe, expect, it } from "vitest";
import { formatHosts } from "../src/host-list.js";
import { parseJsonLog, parseSummary } from "../src/parse-report.js";
import { noopVerdict, recordRun } from "../src/records.js";
import type { HostRun } from "../src/run-result.js";

describe("branch → Puppet environment, core's rule, as the deploy plugin names it", () => {
  it("maps the production branch to production and other branches to [a-z0-9_]", () => {
    expect(puppetEnvironmentFor("main", "main")).toBe("production");
    expect(puppetEnvironmentFor("gh13", "main")).toBe("gh13");
    expect(puppetEnvironmentFor("feature/Fix-1", "main")).toBe("feature_fix_1");
    expect(puppetEnvironmentFor("production", "main")).toBe("production");
    expect(puppetEnvironmentFor("master", "master")).toBe("production");
  });

  it("refuses what is not a ref", () => {
    expect(refProblem("--foo")).toMatch(/starts with "-"/);
    expect(refProblem("a b")).toMatch(/may contain only/);
    expect(refProblem("a..b")).toMatch(/\.\./);
    expect(refProblem("x.lock")).toMatch(/\.lock/);
    expect(refProblem("gh13")).toBeUndefined();
  });
});

describe("host lists", () => {
  it("collapses runs of numbered hosts", () => {
    expect(formatHosts(["fs1", "fs2", "fs3"])).toBe("fs1–fs3");
    expect(formatHosts(["fs3", "fs1", "fs2", "fs5", "db1"])).toBe("fs1–fs3, fs5, db1");
    expect(formatHosts(["fs1", "fs2"])).toBe("fs1, fs2");
    expect(formatHosts(["web", "fs10", "fs11", "fs12", "fs9"])).toBe("web, fs9–fs12");
    expect(formatHosts(["a1.dc1", "a2.dc1", "a3.dc1"])).toBe("a1.dc1, a2.dc1, a3.dc1");
  });
});

describe("puppet's machine-readable output", () => {
  it("reads a JSON log that puppet never closed, dropping Facter's noise and a torn last entry", () => {
    const text = [
      "[",
      '{"level":"err","message":"Permission denied @ rb_sysopen - /proc/1/environ","source":"Facter"}',
      ",",
      '{"level":"err","message":"Could not parse for environment x: Syntax error","source":"Puppet"}',
      ",",
      '{"level":"notice","message":"half',
    ].join("\n");
    expect(parseJsonLog(text)).toEqual([
      { level: "err", message: "Could not parse for environment x: Syntax error", source: "Puppet" },
    ]);
  });

  it("reads a last run summary", () => {
    const summary = parseSummary(
      [
        "---",
        "version: { config: 'a1b2c3d', puppet: 7.23.0 }",
        "application: { converged_environment: gh13 }",
        "resources: { changed: 2, failed: 1, failed_to_restart: 0, out_of_sync: 3 }",
        "events: { noop: 0 }",
        "time: { total: 1.5, last_run: 1796165321 }",
      ].join("\n"),
      "fs1",
    );
    expect(summary).toEqual({
      host: "fs1",
      time: 1796165321,
      environment: "gh13",
      configurationVersion: "a1b2c3d",
      changed: 2,
      failed: 1,
      noop: 0,
      outOfSync: 3,
      totalSeconds: 1.5,
    });
  });
});

describe("the noop gate", () => {
  const run = (host: string, ok = true): HostRun => ({
    host,
    env: "production",
    mode: "noop",
    ok,
    changes: [{ resource: "Package[git]", property: "ensure", from: "2.39.2", to: "2.39.5", sensitive: false }],
    failures: ok ? [] : [{ message: "boom" }],
    skipped: [],
    durationMs: 1,
  });
  const commit = "a".repeat(40);

  it("passes with a recent successful noop at the same commit on every host", async () => {
    const store = new MemoryStore();
    for (const host of ["fs1", "fs2"]) await recordRun(store, run(host), { job: "j1", actor: "bob", version: commit });
    const verdict = await noopVerdict(store, "production", ["fs1", "fs2"], commit, 60_000);
    expect(verdict.ok).toBe(true);
  });

  it("names hosts without a noop, with a failed one, with an old one, and at another commit", async () => {
    const store = new MemoryStore();
    await recordRun(store, run("fs2", false), { job: "j1", actor: "bob", version: commit });
    await recordRun(store, run("fs3"), { job: "j1", actor: "bob", version: commit });
    await recordRun(store, run("fs4"), { job: "j1", actor: "bob", version: "b".repeat(40) });
    await new Promise((r) => setTimeout(r, 30));
    const old = await noopVerdict(store, "production", ["fs3"], commit, 10);
    expect(old).toEqual({ ok: false, problems: ["the noop of production on fs3 is older than 10ms"] });
    const verdict = await noopVerdict(store, "production", ["fs1", "fs2", "fs3", "fs4"], commit, 60_000);
    expect(verdict).toEqual({
      ok: false,
      problems: [
        "no noop of production on fs1",
        "the last noop of production failed on fs2",
        "production is now at aaaaaaa; the noop on fs4 ran at another commit",
      ],
    });
  });
});
