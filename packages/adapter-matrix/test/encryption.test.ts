import { createDecipheriv, createHash } from "node:crypto";
import { bodyOf, Homeserver, TestUser, eventually as until } from "@switchboard/test-servers";
import { Direction } from "matrix-js-sdk";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningBot, recordingLogger, restartBot, startBot, testPng, testPolicy } from "./rig.js";

/** Encrypted rooms with the Rust crypto: replies, encrypted media, keys kept across restarts, decryption failures. */
describe("matrix encrypted rooms", () => {
  let hs: Homeserver;
  let alice: TestUser;
  let running: RunningBot;
  let botId: string;
  let room: string;
  const recorder = recordingLogger();
  const policy = () => testPolicy({ alice: alice.userId });

  /** The bot's devices as alice's client sees them (fresh from the server). */
  async function botDevices(): Promise<string[]> {
    const info = await alice.client.getCrypto()!.getUserDeviceInfo([botId], true);
    return [...(info.get(botId)?.keys() ?? [])];
  }

  beforeAll(async () => {
    hs = await Homeserver.start();
    botId = await hs.register("bot", "bot-password");
    alice = await TestUser.create(hs, "alice");
    running = await startBot(
      hs,
      { userId: botId, invites: { users: [alice.userId] }, decryptionGrace: 100 },
      policy(),
      { logger: recorder.logger },
    );
    await until("the bot's device keys to be published", async () => (await botDevices()).length === 1, 20_000);
    room = await alice.createRoom([botId], { encrypted: true });
  });

  afterAll(async () => {
    await running?.bot.stop();
    await alice?.close();
    await hs?.close();
  });

  it("answers a command in an encrypted room, encrypted", async () => {
    await alice.say(room, "!ping");
    const seen = await alice.waitFrom(botId, room, (s) => /pong/.test(bodyOf(s)));
    expect(seen.encrypted).toBe(true);
    expect(seen.content.msgtype).toBe("m.notice");
  });

  it("uploads images of an encrypted room encrypted (m.image with an EncryptedFile)", async () => {
    await alice.say(room, "!pic");
    const image = await alice.waitFrom(botId, room, (s) => s.content.msgtype === "m.image");
    expect(image.encrypted).toBe(true);
    expect(image.content.url).toBeUndefined();
    const file = image.content.file as { url: string; key: { k: string }; iv: string; hashes: { sha256: string } };
    const res = await fetch(`${hs.url}/_matrix/client/v1/media/download/${file.url.slice("mxc://".length)}`, {
      headers: { authorization: `Bearer ${alice.client.getAccessToken()}` },
    });
    const ciphertext = Buffer.from(await res.arrayBuffer());
    expect(ciphertext.equals(Buffer.from(testPng))).toBe(false);
    expect(createHash("sha256").update(ciphertext).digest("base64").replace(/=+$/, "")).toBe(file.hashes.sha256);
    const decipher = createDecipheriv(
      "aes-256-ctr",
      Buffer.from(file.key.k, "base64url"),
      Buffer.from(file.iv, "base64"),
    );
    expect(new Uint8Array(Buffer.concat([decipher.update(ciphertext), decipher.final()]))).toEqual(testPng);
  });

  it("keeps its device and keys across a restart, and decrypts what was sent while it was away", async () => {
    const device = running.adapter.deviceId;
    await running.bot.stop();
    await alice.say(room, "!ping while you were away");
    running = await restartBot(hs, running, policy(), recorder.logger);
    expect(running.adapter.deviceId).toBe(device);
    const seen = await alice.waitFrom(botId, room, (s) => bodyOf(s).includes("pong"), 30_000);
    expect(seen.encrypted).toBe(true);
    await alice.say(room, "!whoami");
    await alice.waitFrom(botId, room, (s) => bodyOf(s).includes(alice.userId));
    expect(await botDevices()).toEqual([device]);
  });

  it("says (once per interval) when it cannot decrypt a message", async () => {
    const garbage = {
      algorithm: "m.megolm.v1.aes-sha2",
      ciphertext: "AwgAEnBhYnJpY2F0ZWQgY2lwaGVydGV4dA",
      device_id: "NOSUCHDEVICE",
      sender_key: "c2VuZGVyIGtleSB0aGF0IGRvZXMgbm90IGV4aXN0",
      session_id: "c2Vzc2lvbiB0aGF0IGRvZXMgbm90IGV4aXN0",
    };
    const sent: string[] = [];
    for (const txn of ["garbage-1", "garbage-2"]) {
      const res = await alice.client.http.authedRequest<{ event_id: string }>(
        "PUT" as never,
        `/rooms/${encodeURIComponent(room)}/send/m.room.encrypted/${txn}`,
        undefined,
        garbage,
      );
      sent.push(res.event_id);
    }
    const notice = await alice.waitFrom(botId, room, (s) => bodyOf(s).includes("could not decrypt a message"));
    expect(bodyOf(notice)).toContain(alice.userId);
    await until("both failures to be logged", () =>
      recorder.messages.filter((m) => m === "could not decrypt a message").length === 2 ? true : undefined,
    );
    await running.bot.stop();
    const res = await alice.client.createMessagesRequest(room, null, 50, Direction.Backward);
    // Newest first: everything the bot sent after the first undecryptable message.
    const after = res.chunk.slice(
      0,
      res.chunk.findIndex((e) => e.event_id === sent[0]),
    );
    const fromBot = after.filter((e) => e.sender === botId);
    expect(fromBot).toHaveLength(1);
    running = await restartBot(hs, running, policy(), recorder.logger);
  });
});
