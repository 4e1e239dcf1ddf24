import { describe, expect, it } from "vitest";
import { createHarness } from "../src/index.js";
import { broken, deploy, policy } from "./fixtures.js";

describe("addressing", () => {
  it("answers the prefix, the bot's name and @name in a room, and everything in a direct conversation", async () => {
    const h = await createHarness({ policy });
    for (const text of ["!ping", "switchboard: ping", "switchboard, ping", "@switchboard ping", "  !ping"]) {
      expect((await h.as("alice").say(text)).text).toBe("pong, alice");
    }
    expect((await h.as("alice", { direct: true }).say("ping")).text).toBe("pong, alice");
    expect((await h.as("alice", { direct: true }).say("!ping")).text).toBe("pong, alice");
    await h.close();
  });

  it("ignores ordinary conversation without a reply or an audit entry", async () => {
    const h = await createHarness({ policy, prefix: "." });
    for (const text of ["hello", "switchboard is great", "!ping", "...", ". ping", "", "!!"]) {
      expect((await h.as("alice").say(text)).messages).toEqual([]);
    }
    expect(await h.audit()).toEqual([]);
    expect((await h.as("alice").say(".ping")).text).toBe("pong, alice");
    await h.close();
  });
});

describe("bad input gets a clear answer", () => {
  it("unknown command → did you mean", async () => {
    const h = await createHarness({ policy, commands: [deploy] });
    expect((await h.as("alice").say("!delpoy api")).text).toBe('✖ unknown command "delpoy". Did you mean !deploy?');
    expect((await h.as("alice").say("!xyzzy")).text).toBe('✖ unknown command "xyzzy". Try !help');
    expect((await h.as("alice").say("!role")).text).toMatch(/"role" needs a subcommand: grant, list, revoke/);
    expect((await h.as("alice").say("!role gant bob x")).text).toMatch(/Did you mean !role grant\?/);
    await h.close();
  });

  it("bad arguments → what is wrong and the usage line", async () => {
    const h = await createHarness({ policy, commands: [deploy] });
    const { text } = await h.as("alice").say("!deploy api to prod");
    expect(text).toBe(
      '✖ env must be one of staging, production, not "prod"\nusage: !deploy <app>[/<ref>] [to <env>] [--delay <delay>] [--token <token>]',
    );
    expect((await h.as("alice").say("!deploy 'api")).text).toMatch(/unterminated single quote/);
    expect((await h.as("alice").say("!deploy Api;rm")).text).toMatch(/app "Api;rm" is not valid/);
    await h.close();
  });

  it("internal failure → a correlation id in chat, the detail in the audit log, never a stack trace", async () => {
    const h = await createHarness({ policy, commands: [broken] });
    const { text } = await h.as("alice").say("!broken");
    const id = /reference (E-[0-9a-f]{8})/.exec(text)?.[1];
    expect(id).toBeDefined();
    expect(text).not.toMatch(/TypeError|hunter2|at /);
    const outcome = (await h.audit()).find((e) => e.event === "outcome");
    expect(outcome).toMatchObject({
      outcome: "failed",
      errorId: id,
      detail: { error: expect.stringMatching(/^TypeError: /) },
    });
    await h.close();
  });
});

describe("help", () => {
  it("lists only what the asker may run, and says how many are hidden", async () => {
    const h = await createHarness({ policy, commands: [deploy] });
    const owner = (await h.as("alice").say("!help")).text;
    const guest = (await h.as("mallory", { verified: false }).say("!help")).text;
    expect(owner).toMatch(/!deploy +Deploy an app/);
    expect(owner).toMatch(/!role grant/);
    expect(guest).not.toMatch(/!deploy|!role grant|!audit/);
    expect(guest).toMatch(/!ping/);
    expect(guest).toMatch(/\d+ more need permissions you don't have/);
    await h.close();
  });

  it("shows the usage, permission and examples of one command", async () => {
    const h = await createHarness({ policy, commands: [deploy] });
    const { text } = await h.as("bob").say("!help deploy");
    expect(text).toMatch(/usage: !deploy <app>\[\/<ref>\] \[to <env>\]/);
    expect(text).toMatch(/permission: +deploy:run/);
    expect((await h.as("bob").say("!help role grant")).text).toMatch(/you may not run this \(needs role:grant\)/);
    await h.close();
  });
});
