/**
 * The bot's own device, cross-signed by its owner (Element is moving to exclude devices that are not), on Synapse:
 * - `setupRecovery` (what `switchboard matrix setup-recovery` runs) creates the account's identity and secret
 *   storage; after a restart with the recovery key, other clients see the bot's device signed by its owner, and a
 *   client that trusts the bot's identity (another login of the bot account, opened with the recovery key as
 *   Element does) sees the device as cross-signing verified.
 * - A second set-up without `reset` is refused and changes nothing; a malformed or wrong recovery key fails the
 *   start, saying so without repeating the key.
 */
import { randomBytes } from "node:crypto";
import { Homeserver, TestUser, eventually as until } from "@switchboard/test-servers";
import { ClientEvent, createClient, type MatrixClient, SyncState } from "matrix-js-sdk";
import { encodeRecoveryKey } from "matrix-js-sdk/lib/crypto-api/index.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { secretStorageCallbacks } from "../src/cross-signing.js";
import { RecoveryExistsError, setupRecovery } from "../src/setup-recovery.js";
import { type RunningBot, recordingLogger, startBot } from "./rig.js";

const policy = { roles: {} };

/** Another login of `user`, with Rust crypto, synced; with `recoveryKey` it can open secret storage. */
async function login(hs: Homeserver, user: string, password: string, recoveryKey?: string): Promise<MatrixClient> {
  const res = await createClient({ baseUrl: hs.url }).loginRequest({
    type: "m.login.password",
    identifier: { type: "m.id.user", user },
    password,
  });
  const { decodeRecoveryKey } = await import("matrix-js-sdk/lib/crypto-api/index.js");
  const client = createClient({
    baseUrl: hs.url,
    userId: res.user_id,
    accessToken: res.access_token,
    deviceId: res.device_id,
    cryptoCallbacks: secretStorageCallbacks(recoveryKey ? decodeRecoveryKey(recoveryKey) : undefined),
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

/** The account's cross-signing master key as the homeserver publishes it. */
async function masterKey(client: MatrixClient, userId: string): Promise<string | undefined> {
  const keys = await client.downloadKeysForUsers([userId]);
  return Object.values(keys.master_keys?.[userId]?.keys ?? {})[0];
}

let hs: Homeserver;

beforeAll(async () => {
  hs = await Homeserver.start();
});

afterAll(async () => {
  await hs?.close();
});

describe("the bot's device, cross-signed from a recovery key", () => {
  let alice: TestUser;
  let botId: string;
  let running: RunningBot | undefined;
  let recoveryKey: string;

  beforeAll(async () => {
    botId = await hs.register("signbot", "bot-password");
    alice = await TestUser.create(hs, "alice");
  });

  afterAll(async () => {
    await running?.bot.stop();
    await alice?.close();
  });

  it("after setup-recovery and a restart with the key, other clients see the device signed by its owner", async () => {
    running = await startBot(hs, { userId: botId, invites: { users: [alice.userId] } }, policy);
    const deviceId = running.adapter.deviceId!;
    // alice shares an encrypted room with the bot, so her crypto follows the bot's devices (as a client does).
    const room = await alice.createRoom([botId], { encrypted: true, waitJoin: false });
    await alice.waitMembership(room, botId, "join");
    const aliceCrypto = alice.client.getCrypto()!;
    await until(
      "alice to see the bot's device",
      async () => (await aliceCrypto.getDeviceVerificationStatus(botId, deviceId)) ?? undefined,
      20_000,
    );
    // Before: the account has no identity, so nothing signs the device.
    expect((await aliceCrypto.getDeviceVerificationStatus(botId, deviceId))?.signedByOwner).toBe(false);

    ({ recoveryKey } = await setupRecovery({ homeserver: hs.url, userId: botId, password: "bot-password" }));
    expect(recoveryKey).toMatch(/^(\w{4} ){11}\w{4}$/);
    await running.bot.stop();
    running = await startBot(hs, { ...running.options, userId: botId, recoveryKey }, policy);
    expect(running.adapter.deviceId).toBe(deviceId);

    await until(
      "alice to see the bot's device signed by the bot's identity",
      async () => (await aliceCrypto.getDeviceVerificationStatus(botId, deviceId))?.signedByOwner || undefined,
      30_000,
    );
    // A client that trusts the bot's identity (here a second login of the bot account that opened secret storage
    // with the recovery key, as Element's "verify with recovery key" does) trusts the device through it.
    const second = await login(hs, "signbot", "bot-password", recoveryKey);
    try {
      // Like any client: fetch the account's published identity before importing its private keys.
      expect(await second.getCrypto()!.userHasCrossSigningKeys(botId, true)).toBe(true);
      await second.getCrypto()!.bootstrapCrossSigning({});
      expect(await second.getCrypto()!.isCrossSigningReady()).toBe(true);
      await until(
        "the second client to see the bot's device verified by cross-signing",
        async () =>
          (await second.getCrypto()!.getDeviceVerificationStatus(botId, deviceId))?.crossSigningVerified || undefined,
        30_000,
      );
    } finally {
      second.stopClient();
      await second.logout(true).catch(() => {});
    }
  }, 90_000);

  it("refuses to set up again without reset, and changes nothing", async () => {
    const before = await masterKey(alice.client, botId);
    expect(before).toBeDefined();
    const again = setupRecovery({ homeserver: hs.url, userId: botId, password: "bot-password" });
    await expect(again).rejects.toBeInstanceOf(RecoveryExistsError);
    await expect(again).rejects.toThrow(
      `${botId} already has cross-signing keys and secret storage; nothing was changed.`,
    );
    await expect(again).rejects.toThrow(/run again with --reset/);
    expect(await masterKey(alice.client, botId)).toBe(before);
  });

  it("fails the start on a malformed or wrong recovery key, without repeating it", async () => {
    await running!.bot.stop();
    const options = running!.options;
    running = undefined;
    const malformed = "EsTc not a key";
    const first = startBot(hs, { ...options, userId: botId, recoveryKey: malformed }, policy);
    await expect(first).rejects.toThrow(/the Matrix recovery key \(recoveryKey\) is not a recovery key/);
    await expect(first).rejects.not.toThrow(malformed);
    const wrong = encodeRecoveryKey(randomBytes(32))!;
    const second = startBot(hs, { ...options, userId: botId, recoveryKey: wrong }, policy);
    await expect(second).rejects.toThrow(
      `the Matrix recovery key (recoveryKey) does not open ${botId}'s secret storage`,
    );
    await expect(second).rejects.not.toThrow(wrong);
    // The right key still starts it.
    running = await startBot(hs, { ...options, userId: botId, recoveryKey }, policy);
  });

  it("with reset, sets up a new identity: the old key no longer starts the bot, the new one signs its device", async () => {
    const before = await masterKey(alice.client, botId);
    const options = running!.options;
    await running!.bot.stop();
    running = undefined;
    const reset = await setupRecovery({ homeserver: hs.url, userId: botId, password: "bot-password", reset: true });
    expect(reset.replaced).toBe(true);
    expect(reset.recoveryKey).not.toBe(recoveryKey);
    expect(await masterKey(alice.client, botId)).not.toBe(before);
    await expect(startBot(hs, { ...options, userId: botId, recoveryKey }, policy)).rejects.toThrow(
      `the Matrix recovery key (recoveryKey) does not open ${botId}'s secret storage`,
    );
    running = await startBot(hs, { ...options, userId: botId, recoveryKey: reset.recoveryKey }, policy);
    const deviceId = running.adapter.deviceId!;
    const status = await running.adapter.client.getCrypto()!.getDeviceVerificationStatus(botId, deviceId);
    expect(status?.crossSigningVerified).toBe(true);
    recoveryKey = reset.recoveryKey;
  }, 90_000);

  it("starts while the homeserver is down, and signs its device once the homeserver is back", async () => {
    const options = running!.options;
    await running!.bot.stop();
    running = undefined;
    await hs.pause();
    const recorder = recordingLogger();
    try {
      running = await startBot(hs, { ...options, userId: botId, recoveryKey }, policy, { logger: recorder.logger });
      expect(recorder.messages).not.toContain("Matrix device cross-signed with the account's identity");
    } finally {
      await hs.resume();
    }
    await until(
      "the bot to sign its device once the homeserver is back",
      () => (recorder.messages.includes("Matrix device cross-signed with the account's identity") ? true : undefined),
      60_000,
    );
  }, 90_000);
});

describe("a bot account without secret storage", () => {
  it("fails the start with the command that sets it up", async () => {
    const botId = await hs.register("plainbot", "bot-password");
    const key = encodeRecoveryKey(randomBytes(32))!;
    await expect(startBot(hs, { userId: botId, recoveryKey: key }, policy)).rejects.toThrow(
      `${botId} has no secret storage, so a recovery key cannot open it: run "switchboard matrix setup-recovery" once to create it`,
    );
  });
});
