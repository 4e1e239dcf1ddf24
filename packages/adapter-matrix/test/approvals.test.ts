import { bodyOf, Homeserver, TestUser, eventually as until } from "@switchboard/test-servers";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningBot, runs, startBot, testPolicy } from "./rig.js";

/** Approving a job by reacting to the bot's approval request. */
describe("matrix reaction approvals", () => {
  let hs: Homeserver;
  let alice: TestUser;
  let bob: TestUser;
  let carol: TestUser;
  let running: RunningBot;
  let botId: string;
  let room: string;

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
      { userId: botId, invites: { users: [alice.userId] }, encryption: false },
      testPolicy({ alice: alice.userId, bob: bob.userId }),
    );
    room = await alice.createRoom([botId, bob.userId, carol.userId], { waitJoin: false });
    await alice.waitMembership(room, botId, "join");
    await Promise.all([bob.client.joinRoom(room), carol.client.joinRoom(room)]);
  });

  afterAll(async () => {
    await running?.bot.stop();
    await Promise.all([alice?.close(), bob?.close(), carol?.close()]);
    await hs?.close();
  });

  it("runs the job once when an approver reacts with the configured emoji; others' reactions do not count", async () => {
    const before = runs.get("deploy") ?? 0;
    await alice.say(room, "!deploy");
    const request = await bob.waitFrom(botId, room, (s) => bodyOf(s).includes("needs 1 approval"));
    const jobId = /job (\w+):/.exec(bodyOf(request))![1]!;
    await alice.react(room, request.eventId, "👍");
    await alice.waitFrom(botId, room, (s) => bodyOf(s).includes(`you requested job ${jobId}`));
    await carol.react(room, request.eventId, "👍");
    // Refused as typing `!approve` would be: without the permission, or not for guests when carol holds no role.
    await carol.waitFrom(
      botId,
      room,
      (s) =>
        bodyOf(s).includes(jobId) &&
        /needs permission deploy:approve|command approve is not for guests/.test(bodyOf(s)),
    );
    await bob.react(room, request.eventId, "😀");
    await bob.react(room, request.eventId, "👍️");
    await bob.waitFrom(botId, room, (s) => bodyOf(s).includes("deployed"));
    await running.bot.idle();
    expect(runs.get("deploy")).toBe(before + 1);
    const approvals = await running.auditLog.query({ jobId, event: "approval" });
    expect(approvals.map((e) => e.actor)).toEqual(["bob"]);
    expect(approvals[0]?.network).toBe("matrix");
    await until("the outcome to be audited", async () =>
      (await running.auditLog.query({ jobId, event: "outcome" })).some((e) => e.outcome === "succeeded"),
    );
  });
});
