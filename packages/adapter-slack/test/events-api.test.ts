import type { PostedMessage, SlackTransport as Transport } from "@switchboard/test-servers";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { signRequest } from "../src/signature.js";
import { decode, ops, people, type Rig, runs, startRig, waitForText } from "./rig.js";

/** Events API mode: signed HTTP requests to the route the adapter registers through core. */
describe("slack events api", () => {
  let rig: Rig;
  let url: string;

  beforeAll(async () => {
    rig = await startRig({ mode: "events" });
    url = `${rig.routes!.url}/slack/events`;
  });
  afterAll(async () => rig?.close());

  const settleHttp = async () => {
    const marker = `marker-${Date.now()}`;
    await rig.people.say(people.alice, ops, `!echo ${marker}`);
    await waitForText(rig.slack, ops, new RegExp(`echo: ${marker}$`));
    await rig.bot.idle();
    await rig.adapter.idle();
  };

  it("registers POST /slack/events through core and reports itself connected", () => {
    expect(rig.bot.routes.list().map((r) => `${r.method} ${r.path}`)).toEqual(["POST /slack/events"]);
    expect(rig.adapter.socket).toBeUndefined();
    expect(rig.slack.callsOf("apps.connections.open")).toEqual([]);
  });

  it("answers url_verification with the challenge", async () => {
    const body = JSON.stringify({ type: "url_verification", token: "x", challenge: "chal-123" });
    const timestamp = String(Math.floor(Date.now() / 1000));
    const response = await fetch(url, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        "x-slack-request-timestamp": timestamp,
        "x-slack-signature": signRequest("test-signing-secret", timestamp, body),
      },
      body,
    });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ challenge: "chal-123" });
  });

  it("runs a command from a correctly signed event", async () => {
    const { status } = await rig.people.say(people.alice, ops, "!ping");
    expect(status).toBe(200);
    await waitForText(rig.slack, ops, /pong/);
  });

  it("refuses a bad signature and an old timestamp with 401, running nothing", async () => {
    const before = runs.get("count") ?? 0;
    const event = rig.people.eventCallback(rig.people.messageEvent(people.alice, ops, "!count"));
    const forged = await rig.people.post("events_api", event, { "x-slack-signature": `v0=${"0".repeat(64)}` });
    expect(forged).toBe(401);
    const transport = rig.people.transport as Extract<Transport, { kind: "http" }>;
    rig.people.transport = { ...transport, skewSeconds: -301 };
    const old = await rig.people.post("events_api", event);
    rig.people.transport = { ...transport, signingSecret: "wrong" };
    const wrongSecret = await rig.people.post("events_api", event);
    rig.people.transport = transport;
    expect([old, wrongSecret]).toEqual([401, 401]);
    const unsigned = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(event),
    });
    expect(unsigned.status).toBe(401);
    await settleHttp();
    expect(runs.get("count") ?? 0).toBe(before);
  });

  it("accepts a timestamp inside the five-minute window", async () => {
    const transport = rig.people.transport as Extract<Transport, { kind: "http" }>;
    rig.people.transport = { ...transport, skewSeconds: -240 };
    const { status } = await rig.people.say(people.alice, ops, "!echo four minutes late");
    rig.people.transport = transport;
    expect(status).toBe(200);
    await waitForText(rig.slack, ops, /four minutes late/);
  });

  it("handles an event Slack retries (X-Slack-Retry-Num) once", async () => {
    const before = runs.get("count") ?? 0;
    const event = rig.people.eventCallback(rig.people.messageEvent(people.alice, ops, "!count"));
    expect(await rig.people.post("events_api", event)).toBe(200);
    const retry = await rig.people.post("events_api", event, {
      "x-slack-retry-num": "1",
      "x-slack-retry-reason": "http_timeout",
    });
    expect(retry).toBe(200);
    await waitForText(rig.slack, ops, new RegExp(`counted ${before + 1}$`));
    await settleHttp();
    expect(runs.get("count")).toBe(before + 1);
  });

  it("takes the slash command and button clicks as form posts", async () => {
    const { responseId } = await rig.people.slash(people.alice, ops, "deploy");
    const request = await rig.slack.until("the approval request", () =>
      rig.slack.responses.find((r) => r.id === responseId && /needs 1 approval/.test(String(r.body.text))),
    );
    const jobId = /job (\w+):/.exec(decode(String(request.body.text)))![1]!;
    // Posted through the response URL, the request is not one the bot can chat.update: the click's response URL
    // replaces it instead.
    const shown: PostedMessage = {
      channel: ops,
      ts: rig.slack.nextTs(),
      text: String(request.body.text),
      blocks: request.body.blocks as Array<Record<string, unknown>>,
      history: [],
    };
    const before = runs.get("deploy") ?? 0;
    await rig.people.click(people.bob, shown, "switchboard.approve");
    await rig.slack.until("deployed", () =>
      rig.slack.responses.some((r) => r.id === responseId && /deployed/.test(String(r.body.text))),
    );
    const replaced = await rig.slack.until("the request replaced", () =>
      rig.slack.responses.find((r) => r.id.startsWith("click") && r.body.replace_original === true),
    );
    expect(String(replaced.body.text)).toContain(`approved by <@${people.bob.id}>`);
    expect(JSON.stringify(replaced.body.blocks)).not.toContain("switchboard.approve");
    expect(String(replaced.body.text)).toContain(jobId);
    await rig.bot.idle();
    expect(runs.get("deploy")).toBe(before + 1);
  });
});
