/**
 * `switchboard matrix setup-recovery` through the real CLI against Synapse: it prints the recovery key (stdout
 * holds nothing else) and refuses a second run without --reset; `switchboard start` with `recoveryKey:
 * ${MATRIX_RECOVERY_KEY}` signs the bot's device (another user sees it signed by its owner), and a wrong key fails
 * the start saying so, without printing the key.
 */
import type { ChildProcessWithoutNullStreams } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { Homeserver, TestUser, eventually as until } from "@switchboard/test-servers";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { assertBuilt, copyExample, exited, runCli, spawnCli, tempDir } from "./cli.js";

describe("switchboard matrix setup-recovery", () => {
  let hs: Homeserver;
  let admin: TestUser;
  let botId: string;
  let config: string;
  let child: ChildProcessWithoutNullStreams | undefined;
  const temp = tempDir("switchboard-recovery-");
  const env = () => ({
    MATRIX_HOMESERVER: hs.url,
    MATRIX_BOT_USER: botId,
    MATRIX_BOT_PASSWORD: "bot-password",
    MATRIX_ADMIN: admin.userId,
  });

  beforeAll(async () => {
    assertBuilt();
    hs = await Homeserver.start();
    botId = await hs.register("switchboard", "bot-password");
    admin = await TestUser.create(hs, "admin");
    config = copyExample("matrix.yaml", temp.dir);
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

  it("prints the key once, refuses a second run, and the bot started with the key signs its device", async () => {
    const first = await runCli(["matrix", "setup-recovery", "--config", config], {
      cwd: temp.dir,
      env: env(),
      timeoutMs: 60_000,
    });
    expect(first.stderr).toContain(`created the cross-signing identity and secret storage of ${botId}`);
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/^(\w{4} ){11}\w{4}\n$/);
    const recoveryKey = first.stdout.trim();

    const second = await runCli(["matrix", "setup-recovery", "--config", config], {
      cwd: temp.dir,
      env: env(),
      timeoutMs: 60_000,
    });
    expect(second.code).toBe(1);
    expect(second.stdout).toBe("");
    expect(second.stderr).toContain(`${botId} already has cross-signing keys and secret storage; nothing was changed`);
    expect(second.stderr).toContain("run again with --reset");

    // The configuration gets the key as the example says.
    writeFileSync(config, readFileSync(config, "utf8").replace("# recoveryKey:", "recoveryKey:"));
    const wrong = await runCli(["start", "--config", config], {
      cwd: temp.dir,
      env: { ...env(), MATRIX_RECOVERY_KEY: "EsTc 1234 not a key" },
      timeoutMs: 60_000,
    });
    expect(wrong.code).not.toBe(0);
    expect(wrong.stderr).toContain("the Matrix recovery key (recoveryKey) is not a recovery key");
    expect(wrong.stderr + wrong.stdout).not.toContain("EsTc 1234 not a key");

    child = spawnCli(["start", "--config", config], temp.dir, { ...env(), MATRIX_RECOVERY_KEY: recoveryKey });
    let stderr = "";
    child.stderr.on("data", (chunk: Buffer) => {
      stderr += chunk.toString("utf8");
    });
    const room = await admin.createRoom([botId], { encrypted: true, waitJoin: false });
    await admin.waitMembership(room, botId, "join");
    const crypto = admin.client.getCrypto()!;
    await until(
      `the admin to see the bot's device signed by the bot's identity (stderr: ${stderr})`,
      async () => {
        const devices = [...((await crypto.getUserDeviceInfo([botId], true)).get(botId)?.keys() ?? [])];
        if (devices.length !== 1) return undefined;
        return (await crypto.getDeviceVerificationStatus(botId, devices[0]!))?.signedByOwner || undefined;
      },
      60_000,
    );
    const log = await until("the bot to log that its device is cross-signed", () => {
      const text = readFileSync(`${temp.dir}/.switchboard/switchboard.log`, "utf8");
      return text.includes("Matrix device cross-signed with the account's identity") ? text : undefined;
    });
    expect(log).not.toContain(recoveryKey);
  }, 180_000);
});
