/**
 * `trust reset <user>` on Synapse: after alice resets her own cross-signing, rules with `requireVerifiedDevice`
 * refuse her (the bot pinned her first identity); someone without `trust:reset` cannot accept the new identity,
 * alice cannot accept her own (anyone with her password could have made it), and when bob does, it is audited
 * with who accepted which identity and alice's commands run again.
 */
import { bodyOf, Homeserver, TestUser, eventually as until } from "@switchboard/test-servers";
import type { AuthDict } from "matrix-js-sdk";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningBot, runs, startBot } from "./rig.js";

/** Sets up (or, with `reset`, replaces) the user's cross-signing identity from their own device. */
async function crossSign(user: TestUser, reset = false): Promise<void> {
  await user.client.getCrypto()!.bootstrapCrossSigning({
    setupNewCrossSigning: reset,
    authUploadDeviceSigningKeys: async (makeRequest) => {
      const auth: AuthDict = {
        type: "m.login.password",
        identifier: { type: "m.id.user", user: user.name },
        password: `${user.name}-password`,
      };
      await makeRequest(auth);
    },
  });
}

let hs: Homeserver;

beforeAll(async () => {
  hs = await Homeserver.start();
});

afterAll(async () => {
  await hs?.close();
});

describe("trust reset after someone resets their cross-signing", () => {
  let alice: TestUser;
  let bob: TestUser;
  let carol: TestUser;
  let running: RunningBot;
  let botId: string;
  let room: string;

  /** The next reply of the bot in the room that `match`es, after what `user` has seen so far. */
  const next = async (user: TestUser, match: RegExp) => {
    const since = user.from(botId, room).length;
    return bodyOf(
      await user.waitFrom(
        botId,
        room,
        (s) => user.from(botId, room).indexOf(s) >= since && match.test(bodyOf(s)),
        30_000,
      ),
    );
  };

  beforeAll(async () => {
    botId = await hs.register("trustbot", "bot-password");
    [alice, bob, carol] = await Promise.all([
      TestUser.create(hs, "alice"),
      TestUser.create(hs, "bob"),
      TestUser.create(hs, "carol"),
    ]);
    running = await startBot(
      hs,
      { userId: botId, invites: { users: [alice.userId] } },
      {
        roles: {
          owner: { permissions: ["*"] },
          trustee: { permissions: ["trust:reset"] },
          member: { permissions: [] },
        },
        principals: {
          alice: { roles: ["owner"], identities: { matrix: alice.userId } },
          bob: { roles: ["trustee"], identities: { matrix: bob.userId } },
          carol: { roles: ["member"], identities: { matrix: carol.userId } },
        },
        rules: [{ name: "count-from-verified-devices", command: "count", requireVerifiedDevice: true }],
      },
    );
    room = await alice.createRoom([botId, bob.userId, carol.userId], { encrypted: true, waitJoin: false });
    await alice.waitMembership(room, botId, "join");
    await Promise.all([bob.client.joinRoom(room), carol.client.joinRoom(room)]);
    await alice.waitMembership(room, carol.userId, "join");
    await crossSign(alice);
    const botCrypto = running.adapter.client.getCrypto()!;
    await until(
      "the bot to see alice's device cross-signed",
      async () =>
        (await botCrypto.getDeviceVerificationStatus(alice.userId, alice.client.getDeviceId()!))?.signedByOwner ||
        undefined,
      30_000,
    );
  });

  afterAll(async () => {
    await running?.bot.stop();
    await Promise.all([alice?.close(), bob?.close(), carol?.close()]);
  });

  it("refuses alice once she reset her identity; carol may not and alice cannot accept it; bob does, audited", async () => {
    const before = runs.get("count") ?? 0;
    await alice.say(room, "!count");
    expect(await next(alice, /denied|counted/)).toBe(`counted ${before + 1}`);

    // alice resets her cross-signing (a new identity, her device signed by it): the bot pinned the first one.
    await crossSign(alice, true);
    const botCrypto = running.adapter.client.getCrypto()!;
    await until(
      "the bot to see alice's new identity",
      async () => (await botCrypto.getUserVerificationStatus(alice.userId)).needsUserApproval || undefined,
      30_000,
    );
    await alice.say(room, "!count");
    expect(await next(alice, /denied|counted/)).toContain(
      'rule "count-from-verified-devices" needs a message from a verified device',
    );

    await carol.say(room, `!trust reset ${alice.userId}`);
    expect(await next(carol, /trust|denied/)).toMatch(/trust:reset/);
    await alice.say(room, `!trust reset ${alice.userId}`);
    expect(await next(alice, /trust/)).toContain(`you cannot reset trust in your own identity (${alice.userId})`);
    expect(await running.auditLog.query({ event: "trust" })).toEqual([]);
    expect((await botCrypto.getUserVerificationStatus(alice.userId)).needsUserApproval).toBe(true);

    const keys = await bob.client.downloadKeysForUsers([alice.userId]);
    const newIdentity = Object.values(keys.master_keys![alice.userId]!.keys)[0]!;
    await bob.say(room, "!trust reset alice");
    expect(await next(bob, /identity/)).toBe(
      `✔ ${alice.userId}'s identity ${newIdentity} is accepted now; their devices signed by it count as verified`,
    );
    const entries = await running.auditLog.query({ event: "trust" });
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({
      actor: "bob",
      network: "matrix",
      command: "trust reset",
      detail: { user: alice.userId, identity: newIdentity, changed: true },
    });

    await alice.say(room, "!count");
    expect(await next(alice, /denied|counted/)).toBe(`counted ${before + 2}`);
  });
});
