/**
 * Identity at the edges of Matrix: the homeserver vouches for the sender, not for their device.
 * - `requireVerifiedDevice` rules: a command from a device its owner has not cross-signed (a fresh login, as anyone
 *   who got hold of the password or an access token would have) is refused naming the rule; once the owner
 *   cross-signs the device (bootstrapCrossSigning, with the password for Synapse's user-interactive auth) the same
 *   command runs; a plain-text message is refused whoever sends it; approvals by reaction need a verified device too.
 * - Invite allow-lists match room ids: an alias in the list is refused when the adapter is created, and a room that
 *   announces an alias is declined.
 */
import { bodyOf, Homeserver, TestUser, eventually as until } from "@switchboard/test-servers";
import { type AuthDict, ClientEvent, createClient, type MatrixClient, SyncState } from "matrix-js-sdk";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MatrixAdapter } from "../src/index.js";
import { type RunningBot, recordingLogger, restartBot, runs, startBot } from "./rig.js";

/** The owner cross-signs the device this client logged in with (as Element does when you set up cross-signing). */
async function crossSign(user: TestUser): Promise<void> {
  await user.client.getCrypto()!.bootstrapCrossSigning({
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

/** A second login of `user` (a new device, as anyone with the password can make), synced, with Rust crypto. */
async function loginAgain(hs: Homeserver, user: TestUser): Promise<MatrixClient> {
  const login = createClient({ baseUrl: hs.url });
  const res = await login.loginRequest({
    type: "m.login.password",
    identifier: { type: "m.id.user", user: user.name },
    password: `${user.name}-password`,
  });
  const client = createClient({
    baseUrl: hs.url,
    userId: user.userId,
    accessToken: res.access_token,
    deviceId: res.device_id,
  });
  await client.initRustCrypto({ useIndexedDB: false });
  const prepared = new Promise<void>((resolve) => {
    const onSync = (state: SyncState) => {
      if (state === SyncState.Prepared) {
        client.off(ClientEvent.Sync, onSync);
        resolve();
      }
    };
    client.on(ClientEvent.Sync, onSync);
  });
  await client.startClient({ initialSyncLimit: 0 });
  await prepared;
  return client;
}

/** Waits until the bot's crypto sees `user`'s current device as signed by its owner. */
async function botSeesCrossSigned(bot: MatrixClient, user: TestUser): Promise<void> {
  const deviceId = user.client.getDeviceId()!;
  await until(
    `the bot to see ${user.userId}'s device ${deviceId} cross-signed`,
    async () => (await bot.getCrypto()!.getDeviceVerificationStatus(user.userId, deviceId))?.signedByOwner || undefined,
    30_000,
  );
}

let hs: Homeserver;

beforeAll(async () => {
  hs = await Homeserver.start();
});

afterAll(async () => {
  await hs?.close();
});

describe("matrix rules that require a verified device", () => {
  let alice: TestUser;
  let bob: TestUser;
  let running: RunningBot;
  let botId: string;
  let room: string;

  beforeAll(async () => {
    botId = await hs.register("bot", "bot-password");
    [alice, bob] = await Promise.all([TestUser.create(hs, "alice"), TestUser.create(hs, "bob")]);
    running = await startBot(
      hs,
      { userId: botId, invites: { users: [alice.userId] } },
      {
        roles: { owner: { permissions: ["*"] }, approver: { permissions: ["deploy:approve"] } },
        principals: {
          alice: { roles: ["owner"], identities: { matrix: alice.userId } },
          bob: { roles: ["approver"], identities: { matrix: bob.userId } },
        },
        rules: [
          { name: "count-from-verified-devices", command: "count", requireVerifiedDevice: true },
          {
            name: "deploy-approved-from-verified-devices",
            command: "deploy",
            approval: { count: 1, permission: "deploy:approve" },
            requireVerifiedDevice: true,
          },
        ],
      },
    );
    await until(
      "the bot's device keys to be published",
      async () => ((await alice.client.getCrypto()!.getUserDeviceInfo([botId], true)).get(botId)?.size ?? 0) > 0,
      20_000,
    );
    room = await alice.createRoom([botId, bob.userId], { encrypted: true, waitJoin: false });
    await alice.waitMembership(room, botId, "join");
    await bob.client.joinRoom(room);
    await alice.waitMembership(room, bob.userId, "join");
  });

  afterAll(async () => {
    await running?.bot.stop();
    await Promise.all([alice?.close(), bob?.close()]);
  });

  it("refuses a command from a device its owner has not cross-signed, naming the rule", async () => {
    const before = runs.get("count") ?? 0;
    await alice.say(room, "!count");
    const reply = await alice.waitFrom(botId, room, (s) => /denied|counted/.test(bodyOf(s)));
    expect(reply.encrypted).toBe(true);
    expect(bodyOf(reply)).toContain('rule "count-from-verified-devices" needs a message from a verified device');
    expect(runs.get("count") ?? 0).toBe(before);
  });

  it("runs the same command once the owner has cross-signed that device", async () => {
    await crossSign(alice);
    expect(await alice.client.getCrypto()!.isCrossSigningReady()).toBe(true);
    await botSeesCrossSigned(running.adapter.client, alice);
    const before = runs.get("count") ?? 0;
    const since = alice.from(botId, room).length;
    await alice.say(room, "!count");
    const reply = await alice.waitFrom(
      botId,
      room,
      (s) => alice.from(botId, room).indexOf(s) >= since && /denied|counted/.test(bodyOf(s)),
    );
    expect(bodyOf(reply)).toBe(`counted ${before + 1}`);
  });

  it("refuses a plain-text message from the cross-signed device (nothing vouches for it)", async () => {
    const plain = await alice.createRoom([botId]);
    const before = runs.get("count") ?? 0;
    await alice.say(plain, "!count");
    const reply = await alice.waitFrom(botId, plain, (s) => /denied|counted/.test(bodyOf(s)));
    expect(reply.encrypted).toBe(false);
    expect(bodyOf(reply)).toContain('rule "count-from-verified-devices" needs a message from a verified device');
    expect(runs.get("count") ?? 0).toBe(before);
  });

  it("needs a verified device for approvals: a typed approve from one counts, a reaction (sent in clear) never", async () => {
    const before = runs.get("deploy") ?? 0;
    await alice.say(room, "!deploy");
    const request = await bob.waitFrom(botId, room, (s) => bodyOf(s).includes("needs 1 approval"));
    const jobId = /job (\w+):/.exec(bodyOf(request))![1]!;
    // bob's device is a fresh login, not cross-signed.
    await bob.say(room, `!approve ${jobId}`);
    await bob.waitFrom(botId, room, (s) => bodyOf(s).includes(`approving job ${jobId} needs a verified device`));
    await crossSign(bob);
    await botSeesCrossSigned(running.adapter.client, bob);
    // matrix-js-sdk (and so Element Web) sends reactions unencrypted: nothing in them shows which device sent them.
    const reaction = await bob.react(room, request.eventId, "👍");
    const raw = await bob.client.fetchRoomEvent(room, reaction);
    expect(raw.type).toBe("m.reaction");
    const refusal = await bob.waitFrom(
      botId,
      room,
      (s) => bodyOf(s).includes(`approving job ${jobId} needs a verified device`) && /reaction/.test(bodyOf(s)),
    );
    expect(bodyOf(refusal)).toContain(`!approve ${jobId}`);
    expect(runs.get("deploy") ?? 0).toBe(before);
    await bob.say(room, `!approve ${jobId}`);
    await bob.waitFrom(botId, room, (s) => bodyOf(s).includes("deployed"));
    await running.bot.idle();
    expect(runs.get("deploy")).toBe(before + 1);
    const approvals = await running.auditLog.query({ jobId, event: "approval" });
    expect(approvals.map((e) => e.actor)).toEqual(["bob"]);
  });

  it("refuses a device cross-signed by a new identity that someone with the password set up", async () => {
    // The attacker has alice's password: a new login, then a cross-signing reset (Synapse's user-interactive auth
    // asks only for the password). The new device is signed by the new identity; the bot saw alice's old one.
    const attacker = await loginAgain(hs, alice);
    try {
      await attacker.getCrypto()!.bootstrapCrossSigning({
        setupNewCrossSigning: true,
        authUploadDeviceSigningKeys: async (makeRequest) => {
          await makeRequest({
            type: "m.login.password",
            identifier: { type: "m.id.user", user: alice.name },
            password: `${alice.name}-password`,
          });
        },
      });
      await until(
        "the bot to see the attacker's device signed by the new identity",
        async () =>
          (await running.adapter.client.getCrypto()!.getDeviceVerificationStatus(alice.userId, attacker.getDeviceId()!))
            ?.signedByOwner || undefined,
        30_000,
      );
      const before = runs.get("count") ?? 0;
      const since = alice.from(botId, room).length;
      await attacker.sendEvent(room, null, "m.room.message" as never, { msgtype: "m.text", body: "!count" } as never);
      const reply = await alice.waitFrom(
        botId,
        room,
        (s) => alice.from(botId, room).indexOf(s) >= since && /denied|counted/.test(bodyOf(s)),
        30_000,
      );
      expect(bodyOf(reply)).toContain('rule "count-from-verified-devices" needs a message from a verified device');
      expect(runs.get("count") ?? 0).toBe(before);
    } finally {
      attacker.stopClient();
    }
  });
});

describe("matrix invite allow-list by room id", () => {
  let carol: TestUser;
  let running: RunningBot;
  let botId: string;
  let allowedRoom: string;
  const recorder = recordingLogger();

  beforeAll(async () => {
    botId = await hs.register("inviteebot", "bot-password");
    carol = await TestUser.create(hs, "carol");
    // The allowed room exists before the bot is configured (its id goes into the list).
    allowedRoom = await carol.createRoom([]);
    running = await startBot(
      hs,
      { userId: botId, encryption: false, invites: { rooms: [allowedRoom] } },
      { roles: {} },
      { logger: recorder.logger },
    );
  });

  afterAll(async () => {
    await running?.bot.stop();
    await carol?.close();
  });

  it("refuses an alias in the list when the adapter is created (aliases belong to whoever controls them)", () => {
    const options = { homeserver: hs.url, userId: botId, password: "bot-password", encryption: false };
    const create = () => new MatrixAdapter({ ...options, invites: { rooms: [allowedRoom, "#ops:localhost"] } });
    expect(create).toThrow(/aliases \(#…\) are not accepted/);
    expect(create).toThrow(/invites\.rooms\[1\]/);
  });

  it("declines an invite to a room that announces the alias #ops, live and after being away", async () => {
    const { room_id: lookalike } = await carol.client.createRoom({ room_alias_name: "ops", invite: [] });
    await carol.client.sendStateEvent(
      lookalike,
      "m.room.canonical_alias" as never,
      {
        alias: "#ops:localhost",
      } as never,
    );
    await carol.client.invite(lookalike, botId);
    await carol.waitMembership(lookalike, botId, "leave");
    // An invite that waits while the bot is away is seen with the room's state (its canonical alias) at the next start.
    await running.bot.stop();
    await carol.client.invite(lookalike, botId);
    await carol.waitMembership(lookalike, botId, "invite");
    running = await restartBot(hs, running, { roles: {} }, recorder.logger);
    await carol.waitMembership(lookalike, botId, "leave");
    await until("both declines to be logged", () =>
      recorder.messages.filter((m) => m === "declined an invite (not allowed by the invites option)").length === 2
        ? true
        : undefined,
    );
  });

  it("joins a room whose id is in the list, whoever invites", async () => {
    await carol.client.invite(allowedRoom, botId);
    await carol.waitMembership(allowedRoom, botId, "join");
  });
});
