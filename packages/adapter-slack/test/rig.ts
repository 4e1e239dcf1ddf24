/**
 * The test rig: the fake Slack, people in it, and a core bot running the real Slack adapter against it (Socket
 * Mode, or the Events API behind a small route server).
 * @module
 */
import {
  arg,
  type Bot,
  createBot,
  defineCommand,
  type Logger,
  MemoryAuditLog,
  out,
  type PolicyConfigInput,
  silentLogger,
} from "@switchboard/core";
import { FakeSlack, type FakeUser, makePng, SlackPeople as People, slackTeam as team } from "@switchboard/test-servers";
import { SlackAdapter } from "../src/index.js";
import type { SlackAdapterOptions } from "../src/slack-adapter.js";
import { RouteServer } from "./route-server.js";

export { makePng };

export const testPng = makePng(4, 3);
export const ops = "C0OPS";
export const otherTeam = "T0OTHER";

/** alice owns everything, bob approves deploys, carol has no role, mallory is from another organisation, eve calls herself "alice". */
export const people = {
  alice: { id: "U0ALICE", team: team.id, name: "alice" },
  bob: { id: "U0BOB", team: team.id, name: "bob" },
  carol: { id: "U0CAROL", team: team.id, name: "carol" },
  mallory: { id: "U0MAL", team: otherTeam, name: "mallory" },
  eve: { id: "U0EVE", team: team.id, name: "eve", displayName: "alice" },
} satisfies Record<string, FakeUser>;

/** How often each test command ran (to prove nothing runs twice). */
export const runs = new Map<string, number>();
const count = (name: string) => runs.set(name, (runs.get(name) ?? 0) + 1);

export function testCommands() {
  return [
    defineCommand({
      name: "count",
      summary: "counts its runs",
      guests: true,
      handler: () => {
        count("count");
        return `counted ${runs.get("count")}`;
      },
    }),
    defineCommand({
      name: "pic",
      summary: "posts a picture",
      guests: true,
      handler: () => [out.text("here is the graph"), out.image(testPng, "load graph", { fallback: "▁▃▅" })],
    }),
    defineCommand({
      name: "work",
      summary: "streams progress",
      guests: true,
      handler: async ({ progress }) => {
        for (let i = 1; i <= 4; i++) {
          progress(`step ${i} of 4`);
          await new Promise((r) => setTimeout(r, 120));
        }
        return "work done";
      },
    }),
    defineCommand({
      name: "deploy",
      summary: "needs approval",
      guests: true,
      sideEffect: true,
      handler: () => {
        count("deploy");
        return "deployed";
      },
    }),
    defineCommand({
      name: "menu",
      summary: "offers a button",
      guests: true,
      handler: () => [out.text("pick one"), out.actions({ label: "Count", command: "count", style: "primary" })],
    }),
    defineCommand({
      name: "lines",
      summary: "prints numbered lines",
      guests: true,
      args: { count: arg.number({ positional: true, required: true }) },
      handler: ({ args }) =>
        out.code(
          Array.from({ length: args.count }, (_, i) => `line ${i + 1} of ${args.count} ${"=".repeat(50)}`).join("\n"),
        ),
    }),
    defineCommand({
      name: "raw",
      summary: "output that looks like Slack markup",
      guests: true,
      handler: () => [out.text("<!channel> & <@U0ALICE> <https://evil.example|click>"), out.code("a ``` b <x>")],
    }),
    defineCommand({
      name: "blocks",
      summary: "one of every block",
      guests: true,
      handler: () => [
        out.text("plain text"),
        out.code("line one\nline two", "sh"),
        out.table(["host", "state"], [["fs1", "ok"]]),
        out.facts({ env: "production", ref: "main" }),
        out.status("fail", "it broke"),
        out.link("https://example.invalid/x?a=1&b=2", "details"),
      ],
    }),
    defineCommand({
      name: "echo",
      summary: "says the text back",
      guests: true,
      args: { text: arg.string({ positional: true, rest: true, required: true }) },
      handler: ({ args }) => `echo: ${args.text}`,
    }),
    defineCommand({
      name: "secret",
      summary: "needs a permission",
      permission: "secret:read",
      handler: () => "the secret is 42",
    }),
  ];
}

/** The policy of the tests: principals by Slack id on network `slack`. */
export function testPolicy(network = "slack"): PolicyConfigInput {
  return {
    roles: { owner: { permissions: ["*"] }, approver: { permissions: ["deploy:approve", "secret:read"] } },
    principals: {
      alice: { roles: ["owner"], identities: { [network]: people.alice.id } },
      bob: { roles: ["approver"], identities: { [network]: people.bob.id } },
      // Linked, but from another organisation: only trusted teams or users make this identity count.
      mallory: { roles: ["owner"], identities: { [network]: `${otherTeam}:${people.mallory.id}` } },
    },
    rules: [{ name: "deploy-needs-approval", command: "deploy", approval: { count: 1, permission: "deploy:approve" } }],
  };
}

/** A running rig. */
export interface Rig {
  slack: FakeSlack;
  people: People;
  adapter: SlackAdapter;
  bot: Bot;
  auditLog: MemoryAuditLog;
  routes?: RouteServer;
  close(): Promise<void>;
}

/** Options tuned for tests: fast pacing, quick retries and reconnects. */
export function fastOptions(slack: FakeSlack): SlackAdapterOptions {
  return {
    botToken: slack.tokens.bot,
    appToken: slack.tokens.app,
    apiUrl: slack.apiUrl,
    sendInterval: 50,
    sendBurst: 10,
    retryDelay: 50,
    pingTimeout: 3000,
    reconnect: { initialDelay: 100, maxDelay: 1000 },
  };
}

/** Starts the fake Slack and a bot on it. */
export async function startRig(
  options: {
    mode?: "socket" | "events";
    adapter?: Partial<SlackAdapterOptions>;
    policy?: PolicyConfigInput;
    redeliverAfterMs?: number;
    logger?: Logger;
    /** `approvals.announce` of the bot. */
    announce?: string[];
  } = {},
): Promise<Rig> {
  const slack = await FakeSlack.start({ redeliverAfterMs: options.redeliverAfterMs ?? 400 });
  for (const user of Object.values(people)) slack.addUser(user);
  const signingSecret = "test-signing-secret";
  const mode = options.mode ?? "socket";
  const adapter = new SlackAdapter({
    ...fastOptions(slack),
    mode,
    ...(mode === "events" ? { signingSecret } : {}),
    ...options.adapter,
  });
  const auditLog = new MemoryAuditLog();
  const bot = createBot({
    logger: options.logger ?? silentLogger(),
    adapters: [adapter],
    commands: testCommands(),
    policy: options.policy ?? testPolicy(),
    auditLog,
    progressIntervalMs: 50,
    ...(options.announce ? { approvals: { announce: options.announce } } : {}),
  });
  let routes: RouteServer | undefined;
  const who = new People(slack);
  if (mode === "events") {
    routes = await RouteServer.start(() => bot.routes.list());
    who.transport = { kind: "http", url: `${routes.url}/slack/events`, signingSecret };
  }
  await bot.start();
  return {
    slack,
    people: who,
    adapter,
    bot,
    auditLog,
    ...(routes ? { routes } : {}),
    async close() {
      await bot.stop();
      await routes?.close();
      await slack.close();
    },
  };
}

/** The bot's messages in `channel` as plain text (the `text` fallback, decoded), one per message. */
export function textsIn(slack: FakeSlack, channel: string, thread?: string): string[] {
  return slack.messagesIn(channel, thread).map((m) => decode(m.text));
}

/** Decodes Slack's entities. */
export function decode(text: string): string {
  return text.replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&amp;/g, "&");
}

/** Waits for a bot message in `channel` whose text matches `pattern`. */
export function waitForText(slack: FakeSlack, channel: string, pattern: RegExp, thread?: string) {
  return slack.until(`a message matching ${pattern} in ${channel}`, () =>
    slack.messagesIn(channel, thread).find((m) => pattern.test(decode(m.text))),
  );
}

let markers = 0;

/**
 * Waits until everything delivered so far was handled: a marker command sent now is answered after the deliveries
 * before it arrived (Socket Mode delivers in order), then the bot and the adapter are idle.
 */
export async function settle(rig: Rig, channel = ops): Promise<void> {
  markers += 1;
  const marker = `marker-${markers}`;
  await rig.people.say(people.alice, channel, `!echo ${marker}`);
  await waitForText(rig.slack, channel, new RegExp(`echo: ${marker}$`));
  await rig.bot.idle();
  await rig.adapter.idle();
}
