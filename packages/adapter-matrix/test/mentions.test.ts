/**
 * Output cannot be turned against the room, on a real Synapse, reading back the events the bot sent: an `@room` in
 * an announced text (a commit message, an alert annotation, a hook field) is sent with an empty `m.mentions`, so it
 * does not ping the room; progress and its edits say the same; a reply mentions only the asker. Bidirectional
 * overrides and zero-width characters are shown as `<U+…>` in both the plain and the HTML body. And the other way: the
 * bot's display name (what a client writes for a mention of it) addresses it, also after a rename.
 */
import { bodyOf, Homeserver, TestUser, until } from "@switchboard/test-servers";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningBot, runs, startBot, testPolicy } from "./rig.js";

describe("matrix: m.mentions on every event, invisible characters shown", () => {
  let hs: Homeserver;
  let alice: TestUser;
  let running: RunningBot;
  let botId: string;
  let room: string;

  beforeAll(async () => {
    hs = await Homeserver.start();
    botId = await hs.register("bot", "bot-password");
    alice = await TestUser.create(hs, "alice");
    running = await startBot(
      hs,
      { userId: botId, invites: { users: [alice.userId] } },
      testPolicy({ alice: alice.userId }),
    );
    room = await alice.createRoom([botId]);
    await alice.say(room, "!count"); // the bot has joined once it answers
    await alice.waitFrom(botId, room, (s) => /counted/.test(bodyOf(s)));
  });

  afterAll(async () => {
    await running?.bot.stop();
    await alice?.close();
    await hs?.close();
  });

  it("an announcement with @room and a bidi override mentions nobody and shows the override", async () => {
    await running.bot.announce({ network: "matrix", room }, "✔ acme/web: @room deploy of \u202Egnp.exe by a\u200Bdmin");
    const seen = await alice.waitFrom(botId, room, (s) => bodyOf(s).includes("deploy of"));
    expect(seen.content["m.mentions"]).toEqual({});
    expect(bodyOf(seen)).toBe("✔ acme/web: @room deploy of <U+202E>gnp.exe by a<U+200B>dmin");
    expect(String(seen.content.formatted_body)).toContain("&lt;U+202E&gt;gnp.exe");
    expect(JSON.stringify(seen.content)).not.toMatch(/[\u202A-\u202E\u2066-\u2069\u200B-\u200F\uFEFF]/);
  });

  it("progress and its edits carry an empty m.mentions; the final reply mentions only the asker", async () => {
    const asked = await alice.say(room, "!work");
    const done = await alice.waitFrom(botId, room, (s) => bodyOf(s).includes("work done"));
    expect(done.content["m.mentions"]).toEqual({ user_ids: [alice.userId] });
    const progress = alice.seen.filter(
      (s) => s.sender === botId && s.roomId === room && /step \d of 4/.test(bodyOf(s)),
    );
    expect(progress.length).toBeGreaterThan(0);
    for (const event of progress) {
      expect(event.content["m.mentions"], JSON.stringify(event.content)).toEqual({});
      const fresh = event.content["m.new_content"] as Record<string, unknown> | undefined;
      if (fresh) expect(fresh["m.mentions"]).toEqual({});
    }
    expect(asked).toBeTruthy();
  });

  it("answers to its display name after a rename, and no longer to the old one (the text reaches core as sent)", async () => {
    const client = running.adapter.client;
    const rename = async (name: string) => {
      await client.setDisplayName(name);
      await until(() => client.getRoom(room)?.getMember(botId)?.rawDisplayName === name, `the bot called ${name}`);
    };
    const before = runs.get("count") ?? 0;
    const counted = () => alice.from(botId, room).filter((s) => /counted \d+/.test(bodyOf(s))).length;
    await rename("Ops Bot");
    await alice.say(room, "Ops Bot: count");
    await alice.waitFrom(botId, room, (s) => bodyOf(s).includes(`counted ${before + 1}`));
    await rename("Deploy Bot");
    const seen = counted();
    await alice.say(room, "Ops Bot: count");
    await alice.say(room, "Deploy Bot, count");
    await alice.waitFrom(botId, room, (s) => bodyOf(s).includes(`counted ${before + 2}`));
    await alice.say(room, "!count");
    await alice.waitFrom(botId, room, (s) => bodyOf(s).includes(`counted ${before + 3}`));
    expect(counted()).toBe(seen + 2);
    expect(runs.get("count")).toBe(before + 3);
  });
});
