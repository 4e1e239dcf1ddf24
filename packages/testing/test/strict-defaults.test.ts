/**
 * Core's strict defaults, written as attacks: what a guest (an unidentified nick, or a verified identity nobody
 * linked or granted a role) can run, and rules that name several commands or a command group.
 */
import { arg, defineCommand } from "@switchboard/core";
import { describe, expect, it } from "vitest";
import { createHarness } from "../src/index.js";
import { deploy, policy } from "./fixtures.js";

const deploys = defineCommand({
  name: "deploys",
  summary: "List deploys",
  permission: "deploy:read",
  handler: () => "no deploys",
});

describe("guests get help, whoami, why and ping, nothing else", () => {
  it.each([
    ["an unidentified nick", { verified: false }],
    ["a verified identity linked to no principal", {}],
  ])("%s sees and runs only help, whoami, why and ping", async (_who, speaker) => {
    const h = await createHarness({ policy, commands: [deploy, deploys] });
    const mallory = h.as("mallory", speaker);
    const help = (await mallory.say("!help")).text;
    const listed = [...help.matchAll(/^!(\S+(?: \S+)?) {2,}/gm)].map((m) => m[1]);
    expect(listed).toEqual(["help", "whoami", "why", "ping"]);
    expect((await mallory.say("!ping")).text).toBe("pong, mallory");
    expect((await mallory.say("!whoami")).text).toMatch(/roles: +guest/);
    expect((await mallory.say("!why jobs")).text).toMatch(/denied: command jobs requires permission jobs:read/);
    for (const [line, permission] of [
      ["!jobs", "jobs:read"],
      ["!locks", "locks:read"],
      ["!role list", "role:read"],
      ["!role list alice", "role:read"],
      ["!deploys", "deploy:read"],
    ]) {
      expect((await mallory.say(line!)).text, line).toMatch(
        new RegExp(`^✖ denied: command .* requires permission ${permission}`),
      );
    }
    for (const line of ["!approve k3j9x", "!deny k3j9x", "!cancel k3j9x"]) {
      expect((await mallory.say(line)).text, line).toMatch(/^✖ denied: command \w+ is not for guests/);
    }
    // Nothing of the above reached a handler: every refusal is a denial in the audit log.
    const outcomes = (await h.audit()).filter((e) => e.actor?.includes("mallory") && e.event === "denied");
    expect(outcomes).toHaveLength(8);
    await h.close();
  });

  it("each verified login nobody linked is told its own login when refused (decisions are cached, answers are not shared)", async () => {
    const h = await createHarness({ policy, commands: [deploy, deploys] });
    for (const login of ["mallory", "trudy", "mallory"]) {
      const text = (await h.as(login).say("!deploys")).text;
      expect(text).toMatch(/^✖ denied: command deploys requires permission deploy:read/);
      expect(text).toContain(`your login ${login} is not a principal`);
      expect(text).not.toContain(`your login ${login === "mallory" ? "trudy" : "mallory"} `);
    }
    await h.close();
  });

  it("a command that says neither a permission nor guests is refused at start; one that opts in is open", async () => {
    const forgotten = defineCommand({ name: "inventory", summary: "Lists every host", handler: () => "db1 10.0.0.5" });
    await expect(createHarness({ policy, commands: [forgotten] })).rejects.toThrow(
      /command "inventory" declares neither a permission nor who may run it without one/,
    );
    const open = defineCommand({ name: "motd", summary: "Message of the day", guests: true, handler: () => "hi" });
    const members = defineCommand({ name: "team", summary: "Team page", guests: false, handler: () => "team" });
    const h = await createHarness({ policy, commands: [open, members] });
    expect((await h.as("mallory", { verified: false }).say("!motd")).text).toBe("hi");
    expect((await h.as("mallory", { verified: false }).say("!team")).text).toMatch(/is not for guests/);
    expect((await h.as("bob").say("!team")).text).toBe("team");
    await h.close();
  });

  it("a guest's refusal comes before the arguments are read: no usage, no prepare, no list of values", async () => {
    let prepared = 0;
    const pick = defineCommand({
      name: "pick",
      summary: "Pick a secret target",
      permission: "deploy:run",
      args: { target: arg.enum(["alpha-db", "beta-db"], { positional: true, required: true }) },
      prepare: ({ args }) => {
        prepared++;
        return args;
      },
      handler: ({ args }) => `picked ${args.target}`,
    });
    const h = await createHarness({ policy, commands: [pick] });
    for (const line of ["!pick", "!pick nope", "!pick alpha-db --what"]) {
      const answer = (await h.as("mallory", { verified: false }).say(line)).text;
      expect(answer).toMatch(/^✖ denied: command pick requires permission deploy:run/);
      expect(answer).not.toMatch(/alpha|beta|usage/);
    }
    expect(prepared).toBe(0);
    expect((await h.as("bob").say("!pick nope")).text).toMatch(/alpha-db/);
    await h.close();
  });

  it("staff read with the read permissions their roles grant", async () => {
    const h = await createHarness({
      policy: {
        ...policy,
        roles: { ...policy.roles, staff: { permissions: ["jobs:read", "locks:read", "role:read"] } },
        principals: { ...policy.principals, sam: { roles: ["staff"], identities: { test: "sam" } } },
      },
    });
    expect((await h.as("sam").say("!jobs")).text).toBe("no jobs are running");
    expect((await h.as("sam").say("!locks")).text).toBe("no locks are held");
    expect((await h.as("sam").say("!role list")).text).toMatch(/^role +permissions +holders/);
    expect((await h.as("sam").say("!cancel k3j9x")).text).toBe("✖ no job k3j9x is running\nsee !jobs");
    await h.close();
  });
});

describe("rules that name several commands or a command group", () => {
  const lock = defineCommand({
    name: "deploy lock",
    summary: "Lock",
    permission: "deploy:run",
    handler: () => "locked",
  });
  const rollback = defineCommand({
    name: "rollback",
    summary: "Roll back",
    permission: "deploy:run",
    handler: () => "rolled back",
  });
  const commands = [deploy, deploys, lock, rollback];
  const owner = { roles: { ...policy.roles, reader: { permissions: ["deploy:*"] } } };

  it("a list covers each named command, and only those", async () => {
    const freeze = { name: "freeze", command: ["deploy", "rollback", "deploy lock"], when: { room: "#frozen" } };
    const h = await createHarness({ policy: { ...policy, ...owner, rules: [{ ...freeze, deny: true }] }, commands });
    const frozen = h.as("alice", { room: "#frozen" });
    for (const line of ["!deploy api", "!rollback", "!deploy lock"])
      expect((await frozen.say(line)).text, line).toBe('✖ denied: rule "freeze" forbids this');
    expect((await frozen.say("!deploys")).text).toBe("no deploys");
    await h.close();
  });

  it("'deploy *' is deploy and its subcommands, not deploys; 'deploy*' is every name starting with deploy", async () => {
    const group = { name: "group", command: "deploy *", when: { room: "#frozen" }, deny: true };
    const prefix = { name: "prefix", command: "deploy*", when: { room: "#cold" }, deny: true };
    const h = await createHarness({ policy: { ...policy, ...owner, rules: [group, prefix] }, commands });
    const frozen = h.as("alice", { room: "#frozen" });
    expect((await frozen.say("!deploy api")).text).toBe('✖ denied: rule "group" forbids this');
    expect((await frozen.say("!deploy lock")).text).toBe('✖ denied: rule "group" forbids this');
    expect((await frozen.say("!deploys")).text).toBe("no deploys");
    expect((await frozen.say("!rollback")).text).toBe("rolled back");
    expect((await h.as("alice", { room: "#cold" }).say("!deploys")).text).toBe('✖ denied: rule "prefix" forbids this');
    await h.close();
  });
});
