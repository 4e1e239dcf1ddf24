import { join } from "node:path";
import { arg, defineCommand, definePlugin, out, silentLogger } from "@switchboard/core";
import {
  FakeSlack,
  IrcUser,
  type PostedMessage,
  type ServicesServer,
  SlackPeople,
  slackTeam,
  startInspircdWithServices,
} from "@switchboard/test-servers";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type App, createApp, parseConfig } from "../src/index.js";
import { tempDir } from "./cli.js";

/** A stand-in for a production deploy command, loaded as the plugin "release" (counts its runs). */
let deploys = 0;
const release = definePlugin({
  name: "release",
  commands: [
    defineCommand({
      name: "deploy",
      summary: "deploys to an environment",
      guests: true,
      sideEffect: true,
      args: { env: arg.string({ positional: true, required: true }) },
      handler: ({ args }) => {
        deploys++;
        return `deployed to ${args.env}`;
      },
    }),
  ],
});

/**
 * Forwards every approval request to the approvers' Slack channel with Approve / Deny buttons: each button runs
 * `approve <job>` / `deny <job>` as the person who clicks it (an `actions` block), so it is checked like typing it.
 */
const relay = definePlugin({
  name: "relay",
  commands: [],
  setup(ctx) {
    const off = ctx.events.on("approval.requested", ({ job }) => {
      void ctx
        .announce("slack:C0APPROVE", [
          out.status("info", `job ${job.id}: ${job.command} for ${job.actor} needs approval`),
          out.actions(
            { label: "Approve", command: `approve ${job.id}`, style: "primary" },
            { label: "Deny", command: `deny ${job.id}`, style: "danger" },
          ),
        ])
        .catch((err: unknown) => ctx.logger.error({ err }, "could not forward an approval request"));
    });
    return { state: undefined, teardown: off };
  },
});

const bob = { id: "U0BOB", team: slackTeam.id, name: "bob" };
const carol = { id: "U0CAROL", team: slackTeam.id, name: "carol" };

/** One configuration with IRC and Slack, the principals linked on them, and the approval rule. */
function configText(ircPort: number, slack: FakeSlack, dir: string): string {
  return `
store:
  path: ${join(dir, "switchboard.db")}
log:
  file: ${join(dir, "switchboard.log")}
adapters:
  - type: irc
    host: 127.0.0.1
    port: ${ircPort}
    nick: sbot
    channels: ["#ops"]
    sasl: { mechanism: PLAIN, account: sbot, password: bot-secret }
  - type: slack
    appToken: ${slack.tokens.app}
    botToken: ${slack.tokens.bot}
    apiUrl: ${slack.apiUrl}
    sendInterval: 50ms
    sendBurst: 10
    reconnect: { initialDelay: 100ms, maxDelay: 1s }
plugins:
  release: {}
  relay: {}
roles:
  deployer: { permissions: ["deploy:run"] }
  approver: { permissions: ["deploy:approve"] }
  guest: { permissions: [] }
principals:
  alice:
    roles: [deployer, approver]
    identities: { irc: alice }
  bob:
    roles: [approver]
    identities: { slack: ${bob.id} }
rules:
  - name: production-needs-approval
    command: deploy
    when: { args: { env: production } }
    approval: { count: 1, permission: deploy:approve }
`;
}

/**
 * IRC (inspircd + atheme, real services accounts) and Slack (the local Slack, with the real Slack clients) in one
 * process from one configuration file. Alice asks on IRC for a production deploy; the request is forwarded to Slack
 * with buttons; Carol's click is refused, Bob's approves it; the job runs once, on IRC's side.
 */
describe("two networks in one process: IRC and Slack", () => {
  let irc: ServicesServer;
  let slack: FakeSlack;
  let people: SlackPeople;
  let app: App;
  const temp = tempDir("switchboard-slack-two-networks-");
  let alice: IrcUser;

  beforeAll(async () => {
    [irc, slack] = await Promise.all([startInspircdWithServices(), FakeSlack.start()]);
    slack.addUser(bob);
    slack.addUser(carol);
    people = new SlackPeople(slack);
    for (const [account, password] of [
      ["sbot", "bot-secret"],
      ["alice", "alice-secret"],
    ] as const) {
      const user = await IrcUser.connect({ port: irc.port, nick: account });
      await user.services(`REGISTER ${password} ${account}@example.org`, /registered/i);
      await user.quit();
    }
    const loaded = parseConfig(configText(irc.port, slack, temp.dir), "slack-two-networks.yaml", { env: {} });
    app = await createApp(loaded, {
      logger: silentLogger(),
      importPlugin: async (name) => ({ default: name.endsWith("relay") ? relay : release }),
    });
    await app.start();
    alice = await IrcUser.connect({
      port: irc.port,
      nick: "alice",
      sasl: { account: "alice", password: "alice-secret" },
    });
    await alice.join("#ops");
  }, 120_000);

  afterAll(async () => {
    await alice?.quit();
    await app?.close();
    await Promise.all([irc?.stop(), slack?.close()]);
    temp.remove();
  });

  const buttons = (message: PostedMessage) =>
    message.blocks
      .filter((b) => b.type === "actions")
      .flatMap((b) => b.elements as Array<{ action_id: string; value: string }>);

  it("a deploy asked on IRC is approved with a Slack button by someone allowed, runs once, and both are audited", async () => {
    alice.say("#ops", "!deploy production");
    const request = await alice.waitFor("sbot", /needs 1 approval/, "#ops");
    const jobId = /job (\w+):/.exec(request.text)![1]!;
    const forwarded = await slack.until("the forwarded request", () =>
      slack.messagesIn("C0APPROVE").find((m) => m.text.includes(jobId) && buttons(m).length === 2),
    );
    expect(buttons(forwarded).map((b) => b.value)).toEqual([`approve ${jobId}`, `deny ${jobId}`]);

    await people.click(carol, forwarded, buttons(forwarded)[0]!.action_id);
    // Carol holds no role: her click is refused (in the channel, as her typed "approve" would be).
    const refusal = await slack.until("carol refused", () =>
      slack.messagesIn("C0APPROVE").find((m) => m.text.includes(`<@${carol.id}>`)),
    );
    expect(refusal.text).toMatch(/denied|needs permission/);
    await people.click(bob, forwarded, buttons(forwarded)[0]!.action_id);
    await alice.waitFor("sbot", /deployed to production/, "#ops");
    await app.bot.idle();
    expect(deploys).toBe(1);

    const entries = await app.bot.auditLog.query({ jobId, limit: 100 });
    const byEvent = (event: string) => entries.filter((e) => e.event === event);
    expect(byEvent("approval")).toEqual([
      expect.objectContaining({ actor: "bob", network: "slack", decision: "approved" }),
    ]);
    expect(byEvent("admitted")).toEqual([expect.objectContaining({ actor: "alice", network: "irc" })]);
    expect(byEvent("approval-requested")).toHaveLength(1);
    expect(byEvent("outcome")).toEqual([expect.objectContaining({ outcome: "succeeded" })]);
  });
});
