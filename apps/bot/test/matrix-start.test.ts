import type { ChildProcessWithoutNullStreams } from "node:child_process";
import { bodyOf, Homeserver, TestUser, eventually as until } from "@switchboard/test-servers";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { assertBuilt, copyExample, exited, spawnCli, tempDir } from "./cli.js";

/**
 * A new user's path: `switchboard start --config examples/matrix.yaml` against a real Synapse, the bot invited from a
 * client, `!help` and `!ping` in a plain and in an encrypted room; then the process is killed (SIGKILL) and started
 * again: same device, and it decrypts what was sent while it was down.
 */
describe("switchboard start with examples/matrix.yaml", () => {
  let hs: Homeserver;
  let admin: TestUser;
  let botId: string;
  let child: ChildProcessWithoutNullStreams | undefined;
  const temp = tempDir("switchboard-matrix-");
  let stderr = "";

  const start = () => {
    child = spawnCli(["start", "--config", copyExample("matrix.yaml", temp.dir)], temp.dir, {
      MATRIX_HOMESERVER: hs.url,
      MATRIX_BOT_USER: botId,
      MATRIX_BOT_PASSWORD: "bot-password",
      MATRIX_ADMIN: admin.userId,
    });
    child.stderr.on("data", (chunk: Buffer) => {
      stderr += chunk.toString("utf8");
    });
  };
  const botDevices = async () => {
    const info = await admin.client.getCrypto()!.getUserDeviceInfo([botId], true);
    return [...(info.get(botId)?.keys() ?? [])];
  };

  beforeAll(async () => {
    assertBuilt();
    hs = await Homeserver.start();
    botId = await hs.register("switchboard", "bot-password");
    admin = await TestUser.create(hs, "admin");
  });

  afterAll(async () => {
    if (child && child.exitCode === null) {
      child.kill("SIGTERM");
      await exited(child);
    }
    await admin?.close();
    await hs?.close();
    temp.remove();
  });

  it("answers !help and !ping in a plain and in an encrypted room, and survives SIGKILL with the same device", async () => {
    start();
    await until(`the bot's device keys (stderr: ${stderr})`, async () => (await botDevices()).length === 1, 30_000);
    const [device] = await botDevices();
    const plain = await admin.createRoom([botId]);
    await admin.say(plain, "!help");
    await admin.waitFrom(botId, plain, (s) => /ping/.test(bodyOf(s)) && /whoami/.test(bodyOf(s)));
    await admin.say(plain, "!ping");
    await admin.waitFrom(botId, plain, (s) => /pong/.test(bodyOf(s)));
    const secret = await admin.createRoom([botId], { encrypted: true });
    await admin.say(secret, "!ping");
    const answer = await admin.waitFrom(botId, secret, (s) => /pong/.test(bodyOf(s)));
    expect(answer.encrypted).toBe(true);

    child!.kill("SIGKILL");
    await exited(child!);
    await admin.say(secret, "!whoami");
    start();
    const whoami = await admin.waitFrom(botId, secret, (s) => bodyOf(s).includes(admin.userId), 30_000);
    expect(whoami.encrypted).toBe(true);
    expect(await botDevices()).toEqual([device]);
  }, 90_000);
});
