import { bodyOf, Homeserver, TestUser } from "@switchboard/test-servers";
import { MemoryAdapter } from "@switchboard/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningBot, restartBot, startBot, testPolicy } from "./rig.js";

/** The homeserver goes away and comes back; the bot's other networks keep working meanwhile. */
describe("matrix reconnect", () => {
  let hs: Homeserver;
  let alice: TestUser;
  let running: RunningBot;
  let other: MemoryAdapter;
  let botId: string;
  let room: string;

  beforeAll(async () => {
    hs = await Homeserver.start();
    botId = await hs.register("bot", "bot-password");
    alice = await TestUser.create(hs, "alice");
    other = new MemoryAdapter("other");
    running = await startBot(
      hs,
      { userId: botId, invites: { users: [alice.userId] } },
      testPolicy({ alice: alice.userId }),
      {
        adapters: [other],
      },
    );
    room = await alice.createRoom([botId], { encrypted: true });
  });

  afterAll(async () => {
    await running?.bot.stop();
    await alice?.close();
    await hs?.close();
  });

  it("serves other networks while the homeserver is down, and Matrix again once it is back", async () => {
    await alice.say(room, "!ping");
    await alice.waitFrom(botId, room, (s) => /pong/.test(bodyOf(s)));
    await hs.pause();
    await other.inject({
      id: "o-1",
      network: "other",
      room: { id: "elsewhere", direct: true },
      sender: { id: "someone", name: "someone", verified: true },
      text: "ping",
      time: new Date(),
    });
    expect(
      other.sent.map((s) => s.message.blocks.map((b) => ("text" in b ? b.text : "")).join(" ")).join("\n"),
    ).toMatch(/pong/);
    await hs.resume();
    alice.client.retryImmediately();
    const asked = await alice.say(room, "!ping");
    const seen = await alice.waitFrom(
      botId,
      room,
      (s) =>
        /pong/.test(bodyOf(s)) &&
        (s.content["m.relates_to"] as { "m.in_reply_to"?: { event_id: string } })?.["m.in_reply_to"]?.event_id ===
          asked,
      45_000,
    );
    expect(seen.encrypted).toBe(true);
  }, 90_000);

  it("starts while the homeserver is down (with its kept session), and connects once it is up", async () => {
    await running.bot.stop();
    await hs.pause();
    other = new MemoryAdapter("other");
    running = await restartBot(hs, { ...running, extra: { adapters: [other] } }, testPolicy({ alice: alice.userId }));
    await other.inject({
      id: "o-2",
      network: "other",
      room: { id: "elsewhere", direct: true },
      sender: { id: "someone", name: "someone", verified: true },
      text: "ping",
      time: new Date(),
    });
    expect(other.sent).toHaveLength(1);
    await hs.resume();
    alice.client.retryImmediately();
    const asked = await alice.say(room, "!ping");
    await alice.waitFrom(
      botId,
      room,
      (s) =>
        /pong/.test(bodyOf(s)) &&
        (s.content["m.relates_to"] as { "m.in_reply_to"?: { event_id: string } })?.["m.in_reply_to"]?.event_id ===
          asked,
      45_000,
    );
  }, 90_000);
});
