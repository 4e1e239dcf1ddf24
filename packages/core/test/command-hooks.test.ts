import { describe, expect, it } from "vitest";
import {
  type AuditEntry,
  arg,
  createBot,
  DeniedError,
  defineCommand,
  type IncomingMessage,
  renderText,
  silentLogger,
} from "../src/index.js";

const policy = {
  roles: {
    deployer: { permissions: ["deploy:run", "jobs:none"] },
    senior: { permissions: ["deploy:run", "deploy:force", "deploy:approve"] },
  },
  principals: {
    bob: { roles: ["deployer"], identities: { test: "bob" } },
    carol: { roles: ["senior"], identities: { test: "carol" } },
  },
  rules: [{ name: "prod-permission", command: "ship", when: { args: { env: "production" } }, require: "deploy:run" }],
};

/** A deploy-like command using every hook: prepare (defaults, alias), requirements, check (facts). */
function ship(runs: Array<Record<string, unknown>>) {
  return defineCommand({
    name: "ship",
    aliases: ["ship!"],
    summary: "ship an app",
    pattern: "{app} [to {env}]",
    permission: "deploy:run",
    args: {
      app: arg.string({ required: true }),
      env: arg.string(),
      force: arg.flag(),
    },
    prepare: ({ args, invokedAs, message }) => {
      if (message.room.id === "#random") throw new DeniedError("not in #random", "ship rooms");
      return { ...args, env: args.env ?? "production", force: args.force || invokedAs === "ship!" };
    },
    requirements: (args) => [
      ...(args.force ? [{ reason: "force", permission: "deploy:force" }] : []),
      ...(args.env === "production"
        ? [{ reason: "environment production", approval: { permission: "deploy:approve" } }]
        : []),
    ],
    check: ({ args }) => {
      if (args.app === "locked") throw new DeniedError("locked is locked by dave", "ship lock");
      return { sha: `sha-of-${args.app}` };
    },
    handler: ({ args, checked }) => {
      runs.push({ ...args, ...checked });
      return `shipped ${args.app} ${checked.sha} to ${args.env}`;
    },
  });
}

async function setup() {
  const runs: Array<Record<string, unknown>> = [];
  const slow = defineCommand({
    name: "slow",
    summary: "waits until cancelled",
    handler: ({ signal }) => new Promise((_, reject) => signal.addEventListener("abort", () => reject(signal.reason))),
  });
  const stopper = defineCommand({
    name: "stop",
    summary: "cancels a job through context.jobs",
    args: { id: arg.string({ positional: true, required: true }) },
    handler: async ({ args, jobs }) => {
      const info = jobs.get(args.id);
      const cancelled = await jobs.cancel(args.id);
      return `stopping ${cancelled.command} (seen as ${info?.state})`;
    },
  });
  const bot = createBot({ logger: silentLogger(), policy, commands: [ship(runs), slow, stopper] });
  let n = 0;
  const say = async (who: string, text: string, room = "#ops") => {
    const replies: string[] = [];
    const message: IncomingMessage = {
      id: `m${++n}`,
      network: "test",
      room: { id: room, direct: false },
      sender: { id: who, name: who, verified: true },
      text,
      time: new Date(),
    };
    await bot.handle(message, {
      respond: async (m) => {
        replies.push(renderText(m.blocks));
      },
    });
    return replies.join("\n");
  };
  const audit = async () => {
    const entries: AuditEntry[] = [];
    for await (const entry of bot.auditLog.entries()) entries.push(entry);
    return entries;
  };
  return { bot, runs, say, audit };
}

describe("command hooks", () => {
  it("prepare fills defaults that rules and requirements see; requirements add an approval", async () => {
    const { bot, runs, say, audit } = await setup();
    const asked = await say("bob", "!ship api");
    expect(asked).toMatch(
      /needs 1 approval from someone with deploy:approve \(command ship \(environment production\)\)/,
    );
    const id = /job ([a-z0-9]{5})/.exec(asked)![1]!;
    expect(await say("carol", `!approve ${id}`)).toMatch(/approved job/);
    await bot.idle();
    expect(runs).toEqual([{ app: "api", env: "production", force: false, sha: "sha-of-api" }]);
    const trail = (await audit()).filter((e) => e.jobId === id);
    expect(trail[0]?.args).toEqual({ app: "api", env: "production", force: false });
    const decision = trail.find((e) => e.event === "admitted");
    expect(decision?.detail).toMatchObject({ checked: { sha: "sha-of-api" } });
  });

  it("the alias typed reaches prepare, and a requirement's permission is checked by core", async () => {
    const { say, runs } = await setup();
    expect(await say("bob", "!ship! api to staging")).toBe(
      "✖ denied: command ship (force) requires permission deploy:force, and your roles (deployer) do not grant it",
    );
    expect(await say("carol", "!ship! api to staging")).toBe("shipped api sha-of-api to staging");
    expect(runs).toEqual([{ app: "api", env: "staging", force: true, sha: "sha-of-api" }]);
    expect(await say("bob", "!why ship! api to staging")).toMatch(/denied: command ship \(force\) requires/);
  });

  it("a DeniedError from prepare or check is an audited denial naming its rule; nothing runs", async () => {
    const { say, runs, audit } = await setup();
    expect(await say("bob", "!ship api to staging", "#random")).toBe("✖ denied: not in #random");
    expect(await say("bob", "!ship locked to staging")).toBe("✖ locked is locked by dave");
    expect(runs).toEqual([]);
    const denials = (await audit()).filter((e) => e.event === "denied").map((e) => [e.decision, e.rule]);
    expect(denials).toEqual([
      ["denied", "ship rooms"],
      ["denied", "ship lock"],
    ]);
  });

  it("context.jobs cancels with the rules of the cancel command", async () => {
    const { bot, say } = await setup();
    const running = say("bob", "!slow");
    await new Promise((r) => setImmediate(r));
    const id = bot.jobs.list()[0]!.id;
    expect(await say("carol", `!stop ${id}`)).toMatch(/belongs to bob; cancelling it needs permission jobs:cancel/);
    expect(await say("bob", `!stop ${id}`)).toBe("stopping slow (seen as running)");
    expect(await running).toMatch(/was cancelled by bob/);
  });
});
