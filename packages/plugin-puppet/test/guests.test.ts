/**
 * Closed by default, written as the attack: a guest (an unidentified nick) asks for the inventory, the hosts' state
 * and a noop with names that do not exist. The answer is a denial naming the permission, never a host, a group,
 * an address or a Puppet environment, and nothing runs.
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import type { Harness } from "@switchboard/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeHosts, manifest, puppetHarness, tempDir, writeEnvironment } from "./fixtures.js";

describe("a guest and the puppet commands", () => {
  const temp = tempDir("puppet-guests-");
  const environments = join(temp.dir, "environments");
  const hostsDir = join(temp.dir, "hosts");
  let h: Harness;

  beforeAll(async () => {
    writeEnvironment(environments, "production", manifest({ version: "2.39.2" }));
    makeHosts(hostsDir, ["fs1", "fs2", "db1"]);
    h = await puppetHarness({
      runner: { type: "local", hostsDir },
      environmentPath: environments,
      inventory: { hosts: ["fs1", "fs2", "db1"], groups: { fileservers: ["fs*"] } },
    });
  });
  afterAll(async () => {
    await h?.close();
    temp.remove();
  });

  const guest = async (text: string) => (await h.as("mallory", { verified: false }).say(`!${text}`)).text;
  const reveals = /fs1|fs2|db1|fileservers|production|hostsDir|local/;

  it("puppet hosts and puppet status are refused: no inventory, no run on any host", async () => {
    for (const line of ["puppet hosts", "puppet hosts all", "puppet status all", "puppet status fs1"]) {
      const answer = await guest(line);
      expect(answer).toMatch(/^✖ denied: command puppet (hosts|status) requires permission puppet:read/);
      expect(answer).not.toMatch(reveals);
    }
    await h.idle();
    expect(existsSync(join(hostsDir, "fs1", "var", "state"))).toBe(false);
  });

  it("puppet noop with a name that does not exist is refused before the names are looked up", async () => {
    for (const line of ["puppet noop nosuch all", "puppet noop production nosuch", "puppet noop", "puppet rollout x"]) {
      const answer = await guest(line);
      expect(answer).toMatch(/^✖ denied: command puppet (noop|rollout) requires permission puppet:(noop|apply)/);
      expect(answer).not.toMatch(reveals);
    }
  });

  it("a member with puppet:read still sees the inventory", async () => {
    expect(await (await h.as("bob").say("!puppet hosts")).text).toMatch(/^fs1 +fileservers/m);
  });
});
