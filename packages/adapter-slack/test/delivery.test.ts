import { type AdapterStatus, createBot, silentLogger } from "@switchboard/core";
import { FakeSlack } from "@switchboard/test-servers";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SlackAdapter } from "../src/index.js";
import { fastOptions, ops, people, type Rig, runs, settle, startRig, waitForText } from "./rig.js";

/** Socket Mode: acknowledgements, redeliveries, duplicates and reconnects. Nothing runs twice. */
describe("slack socket mode delivery", () => {
  let rig: Rig;
  const statuses: AdapterStatus[] = [];

  beforeAll(async () => {
    rig = await startRig({ redeliverAfterMs: 300 });
    rig.bot.events.on("adapter.status", ({ connected, detail }) =>
      statuses.push({ connected, ...(detail ? { detail } : {}) }),
    );
  });
  afterAll(async () => rig?.close());

  const counted = (n: number) => waitForText(rig.slack, ops, new RegExp(`counted ${n}$`));

  it("acknowledges every envelope and handles one delivered twice once", async () => {
    const before = runs.get("count") ?? 0;
    const { envelope } = await rig.people.say(people.alice, ops, "!count");
    await counted(before + 1);
    rig.slack.socket.resend(envelope!);
    await settle(rig);
    expect(runs.get("count")).toBe(before + 1);
    expect(rig.slack.socket.acks.filter((id) => id === envelope!.envelope_id)).toHaveLength(2);
  });

  it("handles an event Slack redelivers (retry_attempt) because its acknowledgement was lost once", async () => {
    const before = runs.get("count") ?? 0;
    rig.slack.socket.ignoreAcks = true;
    const { payload } = await rig.people.say(people.alice, ops, "!count");
    const retries = await rig.slack.until("three redeliveries", () => {
      const copies = rig.slack.socket.sent.filter((e) => e.payload.event_id === payload.event_id);
      return copies.some((e) => e.retry_attempt === 3) ? copies : undefined;
    });
    rig.slack.socket.ignoreAcks = false;
    expect(retries.map((e) => e.retry_attempt ?? 0)).toEqual([0, 1, 2, 3]);
    expect(new Set(retries.map((e) => e.envelope_id)).size).toBe(4);
    await rig.slack.until("every copy acknowledged", () =>
      retries.every((e) => rig.slack.socket.acks.includes(e.envelope_id)),
    );
    await settle(rig);
    expect(runs.get("count")).toBe(before + 1);
  });

  it("reconnects at once when Slack sends disconnect, and keeps taking commands", async () => {
    const connections = rig.slack.socket.connections;
    rig.slack.socket.disconnect("refresh_requested");
    await rig.slack.until("a new connection", () => rig.slack.socket.connections > connections);
    const before = runs.get("count") ?? 0;
    await rig.people.say(people.alice, ops, "!count");
    await counted(before + 1);
    await rig.slack.until("the old connection closed", () => rig.slack.socket.open === 1);
    expect(statuses).toContainEqual({ connected: false, detail: "reconnecting (refresh_requested)" });
    expect(statuses.at(-1)).toEqual({ connected: true, detail: "Socket Mode" });
  });

  it("reconnects after the socket drops, with backoff while apps.connections.open fails", async () => {
    const connections = rig.slack.socket.connections;
    const opens = rig.slack.callsOf("apps.connections.open").length;
    rig.slack.failConnectionsOpen = 2;
    rig.slack.socket.drop();
    await rig.slack.until("a new connection", () => rig.slack.socket.connections > connections, 15_000);
    expect(rig.slack.callsOf("apps.connections.open").length - opens).toBe(3);
    expect(statuses).toContainEqual({ connected: false, detail: "connection lost; reconnecting" });
    expect(statuses.some((s) => !s.connected && s.detail?.startsWith("reconnect failed"))).toBe(true);
    const before = runs.get("count") ?? 0;
    await rig.people.say(people.alice, ops, "!count");
    await counted(before + 1);
  });

  it("runs an event once when Slack sends it again after a reconnect", async () => {
    const before = runs.get("count") ?? 0;
    const { payload } = await rig.people.say(people.alice, ops, "!count");
    await counted(before + 1);
    const connections = rig.slack.socket.connections;
    rig.slack.socket.drop();
    await rig.slack.until("a new connection", () => rig.slack.socket.connections > connections, 15_000);
    rig.slack.socket.deliver("events_api", payload);
    await settle(rig);
    expect(runs.get("count")).toBe(before + 1);
  });

  it("closes its connection when stopped", async () => {
    const own = await startRig();
    await own.slack.until("connected", () => own.slack.socket.open === 1);
    await own.bot.stop();
    await own.slack.until("closed", () => own.slack.socket.open === 0);
    await own.close();
  });

  it("refuses to start with a wrong bot token or app token, saying what Slack said", async () => {
    const slack = await FakeSlack.start();
    try {
      for (const [key, expected] of [
        ["botToken", /invalid_auth/],
        ["appToken", /invalid_auth/],
      ] as const) {
        const adapter = new SlackAdapter({
          ...fastOptions(slack),
          [key]: key === "botToken" ? "xoxb-wrong" : "xapp-wrong",
        });
        const bot = createBot({ logger: silentLogger(), adapters: [adapter] });
        await expect(bot.start()).rejects.toThrow(expected);
        await bot.stop().catch(() => {});
      }
      expect(slack.socket.connections).toBe(0);
    } finally {
      await slack.close();
    }
  });
});
