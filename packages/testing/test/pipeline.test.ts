import {
  arg,
  createBot,
  defineCommand,
  type IncomingMessage,
  type OutgoingMessage,
  renderText,
  silentLogger,
} from "@switchboard/core";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { createHarness } from "../src/index.js";
import { policy } from "./fixtures.js";

/** Commands with rules on arguments, `prepare` normalising, and a prepare that refuses: everything `why` explains. */
const ship = defineCommand({
  name: "ship",
  summary: "Ship an app",
  pattern: "{app} [to {env}]",
  permission: "deploy:run",
  args: {
    app: arg.string({ required: true }),
    env: arg.string({ default: "staging" }),
    force: arg.flag(),
  },
  prepare: ({ args }) => ({ ...args, env: args.env.toLowerCase() }),
  requirements: (args) => (args.force ? [{ reason: "force", permission: "deploy:force" }] : []),
  handler: ({ args }) => `shipped ${args.app} to ${args.env}`,
});
const peek = defineCommand({ name: "peek", summary: "Read something", handler: () => "peeked" });

const agreementPolicy = {
  ...policy,
  rules: [
    ...policy.rules,
    { name: "prod-ship", command: "ship", when: { args: { env: "production" } }, require: "deploy:approve" },
    { name: "no-ship-random", command: "ship", when: { room: "#random" }, deny: true },
    {
      name: "prod-needs-two",
      command: "ship",
      when: { args: { env: "production" } },
      approval: { permission: "deploy:approve", count: 2 },
    },
  ],
};

describe("one evaluation step for dispatch and why", () => {
  it("why and dispatch agree on 200 random command lines from random people in random rooms", async () => {
    const h = await createHarness({ policy: agreementPolicy, commands: [ship, peek] });
    const line = fc.tuple(
      fc.constantFrom("ship", "peek", "shp", "role grant", "why"),
      fc.constantFrom("", "api", "web", "constructor"),
      fc.constantFrom("", "to staging", "to Production", "to production", "to PROD"),
      fc.constantFrom("", "--force", "--env production"),
    );
    await fc.assert(
      fc.asyncProperty(
        line,
        fc.constantFrom("alice", "bob", "carol", "zed"),
        fc.constantFrom("#ops", "#random"),
        fc.boolean(),
        async ([command, app, to, flag], who, room, verified) => {
          const text = [command, app, to, flag].filter(Boolean).join(" ");
          const speaker = h.as(who, { room, verified });
          const explained = (await speaker.say(`!why ${text}`)).text;
          const before = (await h.audit()).length;
          const answer = (await speaker.say(`!${text}`)).text;
          await h.idle();
          const entries = (await h.audit()).slice(before);
          const first = entries.find((e) => e.event === "admitted" || e.event === "denied");
          if (explained.startsWith("✖ no command matches") || /✖ (?!denied)/.test(explained)) {
            // Unknown lines and bad arguments: nothing is admitted, and the answer is the same kind of refusal.
            expect(first).toBeUndefined();
            expect(answer.startsWith("✖")).toBe(true);
          } else if (explained.startsWith("✖ denied")) {
            expect(first?.event).toBe("denied");
            expect(answer).toBe(explained.split("\n")[0]);
          } else if (explained.includes("allowed after approval")) {
            expect(first).toMatchObject({ event: "admitted", decision: "needs-approval" });
          } else {
            expect(first).toMatchObject({ event: "admitted", decision: "allowed" });
          }
        },
      ),
      { numRuns: 200 },
    );
    await h.close();
  });
});

describe("embedding", () => {
  const message = (text: string): IncomingMessage => ({
    id: `m-${text}`,
    network: "host",
    room: { id: "#ops", direct: false },
    sender: { id: "alice", name: "alice", verified: true },
    text,
    time: new Date(),
  });

  it("a responder that returns nothing (not a promise) works for known and unknown commands", async () => {
    const bot = createBot({
      logger: silentLogger(),
      policy: { principals: { alice: { roles: [], identities: { host: "alice" } } } },
    });
    const said: string[] = [];
    const respond = (output: OutgoingMessage) => {
      said.push(renderText(output.blocks));
    };
    await bot.handle(message("!ping"), { respond });
    await bot.handle(message("!pnig"), { respond });
    expect(said[0]).toMatch(/^pong/);
    expect(said[1]).toBe('✖ unknown command "pnig". Did you mean !ping?');
  });
});

describe("one intake path", () => {
  it("resolves the sender's identity once per command, whatever the command does (rate limits, why, dispatch)", async () => {
    const h = await createHarness({ policy, commands: [ship, peek] });
    const resolved: string[] = [];
    h.bot.events.on("identity.resolved", ({ actor }) => resolved.push(actor));
    await h.as("alice").say("!peek");
    expect(resolved).toEqual(["alice"]);
    await h.as("bob").say("!ship api to production");
    await h.as("carol").say("!why ship api");
    await h.as("carol").say("!pnig");
    // Chatter is not addressed to the bot: nobody is looked up for it.
    await h.as("carol").say("just chatting");
    expect(resolved).toEqual(["alice", "bob", "carol", "carol"]);
    await h.close();
  });

  it("embedders pass what they know as options: addressed text, the bot's current nick", async () => {
    const bot = createBot({ logger: silentLogger(), commands: [peek] });
    const said: string[] = [];
    const respond = (output: OutgoingMessage) => {
      said.push(renderText(output.blocks));
    };
    const at = (text: string): IncomingMessage => ({
      id: text,
      network: "embed",
      room: { id: "#ops", direct: false },
      sender: { id: "u1", name: "u1", verified: true },
      text,
      time: new Date(),
    });
    await bot.handle(at("peek"), { respond });
    await bot.handle(at("peek"), { respond, addressed: true });
    await bot.handle(at("sbot: peek"), { respond });
    await bot.handle(at("sbot: peek"), { respond, nick: "sbot" });
    expect(said).toEqual(["peeked", "peeked"]);
  });
});
