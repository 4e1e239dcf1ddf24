/**
 * How someone could abuse the commands, and what happens instead: names that try to reach a shell or read as
 * options, lookups of `constructor`/`__proto__`, a glob that matches everything, rollouts without a noop, approving
 * one's own rollout. None of these starts a puppet run (the hosts' folders stay empty).
 */
import { existsSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Harness } from "@switchboard/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { puppetConfigSchema } from "../src/config.js";
import { makeHosts, manifest, puppetHarness, tempDir, writeEnvironment } from "./fixtures.js";

describe("abuse of the puppet commands", () => {
  const temp = tempDir("puppet-abuse-");
  const environments = join(temp.dir, "environments");
  const hostsDir = join(temp.dir, "hosts");
  const inventoryFile = join(temp.dir, "inventory.yaml");
  let h: Harness;

  beforeAll(async () => {
    writeEnvironment(environments, "production", manifest({ version: "2.39.2" }));
    writeEnvironment(environments, "feature_fix_1", manifest({ version: "2.39.5" }));
    makeHosts(hostsDir, ["fs1", "fs2", "db1"]);
    writeFileSync(inventoryFile, "hosts: [db1]\ngroups: { databases: [db*] }\n");
    h = await puppetHarness({
      runner: { type: "local", hostsDir },
      environmentPath: environments,
      inventory: { hosts: ["fs1", "fs2"], groups: { fileservers: ["fs*"] } },
      inventoryFile,
    });
  });
  afterAll(async () => {
    await h?.close();
    temp.remove();
  });

  /** Whether puppet ever ran for a host (it writes its state folder on the first run). */
  const ran = (host: string) => existsSync(join(hostsDir, host, "var", "state"));
  const say = async (text: string, who = "alice") => (await h.as(who).say(`!${text}`)).text;

  it("environment names that try to reach a shell are refused before anything runs", async () => {
    expect(await say("puppet noop gh13;touch$IFS/tmp/x fs1")).toMatch(
      /may contain only letters, digits and \. _ \/ \+ -/,
    );
    expect(await say("puppet noop $(id) fs1")).toMatch(/may contain only letters/);
    expect(await say("puppet noop `id` fs1")).toMatch(/may contain only letters/);
    expect(await say("puppet noop ../../etc fs1")).toMatch(/contains "\.\."|may contain only|empty path/);
    expect(ran("fs1")).toBe(false);
  });

  it("a branch named like an option is an unknown option, or refused after --", async () => {
    expect(await say("puppet noop --foo fs1")).toMatch(/unknown option --foo/);
    expect(await say("puppet noop --environment=x fs1")).toMatch(/unknown option --environment/);
    expect(await say("puppet noop -- --foo fs1")).toMatch(/"--foo" starts with "-"; a ref may not look like an option/);
    expect(await say("puppet noop -- -oProxyCommand=id fs1")).toMatch(/starts with "-"/);
    expect(ran("fs1")).toBe(false);
  });

  it("host names that try to become ssh options or shell words are not hosts", async () => {
    expect(await say("puppet noop production -- -oProxyCommand=id")).toMatch(
      /"-oProxyCommand=id" is not a host name .* a target is a host, a group, a glob \(fs\*\) or all/,
    );
    expect(await say("puppet noop production fs1;id")).toMatch(/"fs1;id" is not a host name/);
    expect(await say("puppet noop production fs9")).toMatch(/no host or group fs9 in the inventory/);
    expect(await say("puppet noop production fs9")).toMatch(/groups: fileservers, databases; hosts: fs1, fs2, db1/);
  });

  it("constructor and __proto__ are unknown, as targets and as environments", async () => {
    expect(await say("puppet noop production constructor")).toMatch(/no host or group constructor/);
    expect(await say("puppet noop production __proto__")).toMatch(/"__proto__" is not a host name/);
    expect(await say("puppet hosts toString")).toMatch(/no host or group toString/);
    expect(await say("puppet noop __proto__ fs1")).toMatch(/no environment __proto__ in/);
    expect(await say("puppet noop constructor fs1")).toMatch(
      /no environment constructor in [\s\S]*environments: feature_fix_1, production/,
    );
  });

  it("a glob that matches everything must be said as all; globs only match inventory hosts", async () => {
    expect(await say("puppet noop production *")).toMatch(/"\*" matches every host; say "all" if you mean every host/);
    expect(await say("puppet noop production **?")).toMatch(/matches every host/);
    expect(await say("puppet noop production .*")).toMatch(/is not a host glob/);
    expect(await say("puppet noop production web*")).toMatch(/no host matches web\*/);
    expect(await say("puppet hosts f?1")).toMatch(/^fs1 +fileservers/m);
  });

  it("a branch maps to its environment as the deploy plugin names it", async () => {
    // feature/Fix-1 → feature_fix_1 (exists); main → production; an unknown branch names what exists.
    expect(await say("puppet rollout feature/Fix-1 fileservers")).toMatch(/no noop of feature_fix_1 on fs1, fs2/);
    expect(await say("puppet rollout main fileservers")).toMatch(/no noop of production on fs1, fs2/);
    expect(await say("puppet noop gh99 fs1")).toMatch(
      /no environment gh99 in [\s\S]*deploy the branch first \(deploy puppet\/gh99\)/,
    );
  });

  it("a rollout needs a recent noop unless forced, and forcing needs its own permission", async () => {
    expect(await say("puppet rollout production fileservers")).toMatch(/refusing to roll out production .*no noop/);
    expect(await say("puppet apply production fileservers")).toMatch(/refusing to roll out production .*no noop/);
    expect(await say("puppet rollout production fileservers --force", "erin")).toMatch(/denied: .*puppet:force/);
    expect(await say("puppet rollout production fileservers --canary db1")).toMatch(
      /the canary db1 is not one of fileservers/,
    );
    expect(await say("puppet rollout production fileservers --batch 0")).toMatch(
      /batch: a whole number from 1 to 1000/,
    );
    expect(await say("puppet noop production fs1", "mallory")).toMatch(/denied/);
    expect(ran("fs1")).toBe(false);
  });

  it("the inventory file is re-read on each command, and a broken one is reported, not crashed on", async () => {
    writeFileSync(inventoryFile, "hosts: [db1, db2]\ngroups: { databases: [db*] }\n");
    expect(await say("puppet hosts databases")).toMatch(/db2 +databases/);
    writeFileSync(inventoryFile, "hosts: [db1\n");
    expect(await say("puppet hosts")).toMatch(/the inventory file .* is not valid YAML/);
    writeFileSync(inventoryFile, "hosts: ['db1;id']\n");
    expect(await say("puppet hosts")).toMatch(/the inventory file .*hosts/);
    writeFileSync(inventoryFile, "hosts: [db1]\n");
  });

  it("the configuration refuses values that would reach a shell or a path", () => {
    const base = { runner: { type: "local", hostsDir }, environmentPath: environments };
    const problem = (config: unknown) =>
      puppetConfigSchema
        .safeParse(config)
        .error?.issues.map((i) => `${i.path.join(".")}: ${i.message}`)
        .join("; ");
    expect(problem({ runner: { type: "local", hostsDir } })).toMatch(/environmentPath: the local runner needs/);
    expect(
      problem({
        runner: { type: "ssh", identityFile: "k", knownHostsFile: "kh", puppet: ["puppet;id"] },
      }),
    ).toMatch(/runner.puppet.0: .*remote shell/);
    expect(problem({ runner: { type: "ssh", identityFile: "k", knownHostsFile: "my known hosts" } })).toMatch(
      /knownHostsFile: a path without spaces/,
    );
    expect(problem({ ...base, inventory: { hosts: ["fs1"], groups: { fs1: ["fs1"] } } })).toMatch(
      /inventory.groups.fs1: a host has the same name/,
    );
    expect(problem({ ...base, inventory: { hosts: ["-oProxyCommand=x"] } })).toMatch(/inventory.hosts/);
    expect(problem({ ...base, inventory: { hosts: ["fs1"], groups: { all: ["fs1"] } } })).toMatch(/reserved/);
    expect(problem(base)).toBeUndefined();
  });

  it("a person may not approve their own production rollout", async () => {
    const asked = await say("puppet rollout production fileservers --force");
    const id = /approve (\w{5})/.exec(asked)?.[1];
    expect(id).toBeDefined();
    expect(await say(`approve ${id}`)).toMatch(/someone else has to approve it/);
    expect(await say(`deny ${id}`)).toMatch(/withdr|denied|refused/);
    expect(ran("fs1")).toBe(false);
  });

  it("an environment that moved after the approval was asked for runs nothing", async () => {
    const asked = await say("puppet rollout production fileservers --force");
    const id = /approve (\w{5})/.exec(asked)![1]!;
    writeEnvironment(environments, "production", manifest({ version: "2.39.9" }));
    await h.as("carol").say(`!approve ${id}`);
    await h.idle();
    expect(h.transcript()).toMatch(/production moved from \w{7} to \w{7} since it was checked; nothing was run/);
    expect(ran("fs1")).toBe(false);
  });
});
