import { copyFileSync } from "node:fs";
import { join } from "node:path";
import { bodyOf, Homeserver, TestUser, eventually as until } from "@switchboard/test-servers";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningBot, recordingLogger, restartBot, runs, startBot, testPolicy } from "./rig.js";

/** Invites, leaving on request, stale commands, and no command twice across restarts (plain rooms). */
describe("matrix lifecycle", () => {
  let hs: Homeserver;
  let alice: TestUser;
  let bob: TestUser;
  let carol: TestUser;
  let running: RunningBot;
  let botId: string;
  let room: string;
  const policy = () => testPolicy({ alice: alice.userId, bob: bob.userId });

  beforeAll(async () => {
    hs = await Homeserver.start();
    botId = await hs.register("bot", "bot-password");
    [alice, bob, carol] = await Promise.all([
      TestUser.create(hs, "alice"),
      TestUser.create(hs, "bob"),
      TestUser.create(hs, "carol"),
    ]);
    running = await startBot(
      hs,
      {
        userId: botId,
        invites: { users: [alice.userId, bob.userId] },
        encryption: false,
        staleAfter: 1000,
      },
      policy(),
    );
    room = await alice.createRoom([botId]);
  });

  afterAll(async () => {
    await running?.bot.stop();
    await Promise.all([alice?.close(), bob?.close(), carol?.close()]);
    await hs?.close();
  });

  const snapshotFile = () => join(running.options.dataDir!, "store.v8");

  it("accepts invites from allowed users and declines the others", async () => {
    const allowed = await bob.createRoom([botId]);
    expect(bob.client.getRoom(allowed)?.getMember(botId)?.membership).toBe("join");
    const refused = await carol.createRoom([botId], { waitJoin: false });
    await carol.waitMembership(refused, botId, "leave");
  });

  it("leaves a room when someone with rooms:leave asks, and refuses others naming the permission", async () => {
    const shared = await alice.createRoom([botId, bob.userId], { waitJoin: false });
    await alice.waitMembership(shared, botId, "join");
    await bob.client.joinRoom(shared);
    await bob.say(shared, "!leave");
    const refusal = await bob.waitFrom(botId, shared, (s) => bodyOf(s).includes("requires permission rooms:leave"));
    expect(refusal.content.msgtype).toBe("m.notice");
    await alice.say(shared, "!leave");
    await alice.waitMembership(shared, botId, "leave");
  });

  it("does not run a command twice when a restart replays events it already handled", async () => {
    await running.bot.stop();
    running = await restartBot(hs, running, policy());
    expect(running.adapter.resumed).toBe(true);
    copyFileSync(snapshotFile(), `${snapshotFile()}.before`);
    const before = runs.get("count") ?? 0;
    const asked = await alice.say(room, "!count");
    await alice.waitFrom(botId, room, (s) => bodyOf(s) === `counted ${before + 1}`);
    // A crash before the sync state was saved: the bot comes back with the older state and sees !count again.
    await running.bot.stop();
    copyFileSync(`${snapshotFile()}.before`, snapshotFile());
    const recorder = recordingLogger();
    running = await restartBot(hs, running, policy(), recorder.logger);
    await until("the replayed !count to be skipped", () =>
      recorder.messages.some((m) => m.includes(`already handled ${asked}`)),
    );
    const again = await alice.say(room, "!count");
    await alice.waitFrom(botId, room, (s) => bodyOf(s) === `counted ${before + 2}`);
    expect(runs.get("count")).toBe(before + 2);
    expect(asked).not.toBe(again);
  });

  it("ignores a command sent while it was away and older than staleAfter, and says so once", async () => {
    await running.bot.stop();
    const before = runs.get("count") ?? 0;
    const sentAt = Date.now();
    await alice.say(room, "!count");
    await until("the command to become stale", () => Date.now() - sentAt > 1500);
    copyFileSync(snapshotFile(), `${snapshotFile()}.before`);
    running = await restartBot(hs, running, policy());
    const notice = await alice.waitFrom(botId, room, (s) => bodyOf(s).includes('ignored "count"'));
    expect(bodyOf(notice)).toMatch(/\(commands older than 1s are not run\)/);
    // Once more from the older state: the stale command is seen again but not answered again.
    await running.bot.stop();
    copyFileSync(`${snapshotFile()}.before`, snapshotFile());
    running = await restartBot(hs, running, policy());
    await alice.say(room, "!ping");
    await alice.waitFrom(botId, room, (s) => /pong/.test(bodyOf(s)) && s.eventId !== notice.eventId);
    await running.bot.idle();
    expect(alice.from(botId, room).filter((s) => bodyOf(s).includes('ignored "count"'))).toHaveLength(1);
    expect(runs.get("count")).toBe(before);
  });
});
