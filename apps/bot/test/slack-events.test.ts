import { join } from "node:path";
import { silentLogger } from "@switchboard/core";
import { FakeSlack, SlackPeople, slackSignature, slackTeam } from "@switchboard/test-servers";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type App, createApp, parseConfig } from "../src/index.js";
import { tempDir } from "./cli.js";

const alice = { id: "U0ALICE", team: slackTeam.id, name: "alice" };
const secret = "events-signing-secret";

/**
 * The Events API mode through the app: the Slack adapter registers POST /slack/events through core, and the bot's
 * HTTP endpoint (`http:`) serves it. Slack's requests are signed; unsigned or forged ones are refused.
 */
describe("slack in Events API mode behind the http endpoint", () => {
  let slack: FakeSlack;
  let people: SlackPeople;
  let app: App;
  const temp = tempDir("switchboard-slack-events-");

  beforeAll(async () => {
    slack = await FakeSlack.start();
    slack.addUser(alice);
    const config = `
store:
  path: ${join(temp.dir, "switchboard.db")}
log:
  file: ${join(temp.dir, "switchboard.log")}
http:
  listen: 127.0.0.1:0
adapters:
  - type: slack
    mode: events
    botToken: ${slack.tokens.bot}
    signingSecret: ${secret}
    apiUrl: ${slack.apiUrl}
    sendInterval: 50ms
principals:
  alice: { roles: [], identities: { slack: ${alice.id} } }
`;
    app = await createApp(parseConfig(config, "slack-events.yaml", { env: {} }), { logger: silentLogger() });
    await app.start();
    people = new SlackPeople(slack, { kind: "http", url: `${app.http!.url}/slack/events`, signingSecret: secret });
  });

  afterAll(async () => {
    await app?.close();
    await slack?.close();
    temp.remove();
  });

  it("answers url_verification, runs signed events and refuses forged ones", async () => {
    const body = JSON.stringify({ type: "url_verification", challenge: "c-42" });
    const timestamp = String(Math.floor(Date.now() / 1000));
    const verification = await fetch(`${app.http!.url}/slack/events`, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        "x-slack-request-timestamp": timestamp,
        "x-slack-signature": slackSignature(secret, timestamp, body),
      },
      body,
    });
    expect(await verification.json()).toEqual({ challenge: "c-42" });

    const { status } = await people.say(alice, "C0OPS", "!whoami");
    expect(status).toBe(200);
    const reply = await slack.until("whoami", () => slack.messagesIn("C0OPS").find((m) => /alice/.test(m.text)));
    expect(reply.text).toContain(`<@${alice.id}>`);

    const forged = await people.post("events_api", people.eventCallback(people.messageEvent(alice, "C0OPS", "!ping")), {
      "x-slack-signature": `v0=${"f".repeat(64)}`,
    });
    expect(forged).toBe(401);
    // The socket side is not used in this mode.
    expect(slack.callsOf("apps.connections.open")).toEqual([]);
  });
});
