import type { ChildProcessWithoutNullStreams } from "node:child_process";
import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { openPostgres, type PostgresStorage } from "@switchboard/store-postgres";
import {
  bodyOf,
  Homeserver,
  startPostgres,
  type TestPostgres,
  TestUser,
  eventually as until,
} from "@switchboard/test-servers";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { assertBuilt, copyExample, exited, runCli, spawnCli, tempDir } from "./cli.js";

/**
 * examples/ha-matrix.yaml with two instances (two `switchboard start` processes, each in its own folder) on one
 * PostgreSQL database and a real Synapse: one instance syncs the bot's device; after `kill -9` of it the other takes
 * the lease and comes up with the same device (its session and crypto store came from the database, sealed), decrypts
 * a message sent after the failover in an encrypted room and answers it.
 */
describe("several instances: examples/ha-matrix.yaml", () => {
  let postgres: TestPostgres;
  let hs: Homeserver;
  let admin: TestUser;
  let botId: string;
  let opsToken: string;
  /** The device the registration made (the shared-secret register API logs in once). */
  let registered: string[];
  let db: PostgresStorage | undefined;
  const folders = [tempDir("switchboard-hamx-a-"), tempDir("switchboard-hamx-b-")];
  const children: ChildProcessWithoutNullStreams[] = [];
  const stderr = ["", ""];
  let env: Record<string, string>;

  /** Every device of the bot, as the homeserver lists them (Synapse admin API), keys uploaded or not. */
  const devices = async (): Promise<string[]> => {
    const res = await fetch(`${hs.url}/_synapse/admin/v2/users/${encodeURIComponent(botId)}/devices`, {
      headers: { authorization: `Bearer ${opsToken}` },
    });
    if (!res.ok) throw new Error(`admin API: ${res.status} ${await res.text()}`);
    const body = (await res.json()) as { devices: Array<{ device_id: string }> };
    return body.devices.map((d) => d.device_id).sort();
  };
  const holder = async () => {
    const { rows } = await db!.pool.query<{ holder: string; token: string }>(
      "SELECT holder, token FROM leases WHERE resource = 'matrix:matrix' AND expires_at > now()",
    );
    return rows[0];
  };
  const start = (i: number) => {
    const child = spawnCli(["start", "--config", copyExample("ha-matrix.yaml", folders[i]!.dir)], folders[i]!.dir, env);
    child.stderr.on("data", (chunk: Buffer) => {
      stderr[i] += chunk.toString("utf8");
    });
    children[i] = child;
  };

  beforeAll(async () => {
    assertBuilt();
    [postgres, hs] = await Promise.all([startPostgres(), Homeserver.start()]);
    botId = await hs.register("switchboard", "bot-password");
    await hs.register("ops", "ops-password", true);
    const login = await fetch(`${hs.url}/_matrix/client/v3/login`, {
      method: "POST",
      body: JSON.stringify({
        type: "m.login.password",
        identifier: { type: "m.id.user", user: "ops" },
        password: "ops-password",
      }),
    });
    opsToken = ((await login.json()) as { access_token: string }).access_token;
    admin = await TestUser.create(hs, "admin");
    env = {
      DATABASE_URL: await postgres.database("switchboard"),
      SWITCHBOARD_STATE_KEY: randomBytes(32).toString("base64"),
      MATRIX_HOMESERVER: hs.url,
      MATRIX_BOT_USER: botId,
      MATRIX_BOT_PASSWORD: "bot-password",
      MATRIX_ADMIN: admin.userId,
    };
    db = await openPostgres({ url: env.DATABASE_URL! });
    registered = await devices();
  }, 90_000);

  afterAll(async () => {
    for (const child of children) if (child && child.exitCode === null) child.kill("SIGKILL");
    await Promise.all(children.filter(Boolean).map((child) => exited(child)));
    await admin?.close();
    await hs?.close();
    await db?.close();
    await postgres?.stop();
    for (const folder of folders) folder.remove();
  });

  it("refuses to start without the state key, or with a malformed one", async () => {
    const config = copyExample("ha-matrix.yaml", folders[0]!.dir);
    const missing = await runCli(["start", "--config", config], {
      cwd: folders[0]!.dir,
      env: { ...env, SWITCHBOARD_STATE_KEY: undefined },
    });
    expect(missing.code).not.toBe(0);
    expect(missing.stderr).toMatch(/SWITCHBOARD_STATE_KEY/);
    const malformed = "not-a-key-but-a-password";
    const bad = await runCli(["start", "--config", config], {
      cwd: folders[0]!.dir,
      env: { ...env, SWITCHBOARD_STATE_KEY: malformed },
    });
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toMatch(/store\.postgres\.stateKey is not a key/);
    expect(bad.stderr).not.toContain(malformed);
    expect(await devices()).toEqual(registered);
  }, 60_000);

  it("fails over to the standby after kill -9 with the same device, which decrypts and answers", async () => {
    start(0);
    start(1);
    const made = async () => (await devices()).filter((d) => !registered.includes(d));
    await until(`one bot device (stderr: ${stderr.join("\n")})`, async () => (await made()).length === 1, 60_000);
    const [device] = await made();
    // The device is listed before its keys are uploaded; a room key sent before then never reaches it (no one-time
    // key to open an Olm session with), so wait until others can see its keys.
    await until(
      "the bot device's keys",
      async () => {
        const keys = await admin.client.getCrypto()!.getUserDeviceInfo([botId], true);
        return keys.get(botId)?.has(device!) === true;
      },
      60_000,
    );
    const secret = await admin.createRoom([botId], { encrypted: true });
    await admin.say(secret, "!ping");
    expect((await admin.waitFrom(botId, secret, (s) => /pong/.test(bodyOf(s)), 30_000)).encrypted).toBe(true);

    const held = (await holder())!;
    expect(held.token).toBe("1");
    const leader = children.findIndex((child) => held.holder.split(":")[1] === String(child.pid));
    expect(leader).toBeGreaterThanOrEqual(0);
    const standby = 1 - leader;

    // What an attacker reading the database sees: sealed rows, neither the device's keys nor its access token.
    const info = await admin.client.getCrypto()!.getUserDeviceInfo([botId], true);
    const ed25519 = info.get(botId)?.get(device!)?.getFingerprint();
    expect(ed25519).toMatch(/^[A-Za-z0-9+/]{43}$/);
    const { rows } = await db!.pool.query<{ name: string; sealed: Buffer; token: string }>(
      "SELECT name, sealed, token FROM adapter_state WHERE resource = 'matrix:matrix' ORDER BY name",
    );
    expect(rows.map((r) => [r.name, r.token])).toEqual([
      ["session", "1"],
      ["store", "1"],
    ]);
    for (const row of rows)
      for (const plain of [device!, ed25519!, "syt_", botId, "m.megolm"])
        expect(row.sealed.includes(plain)).toBe(false);

    children[leader]!.kill("SIGKILL");
    await exited(children[leader]!);
    await until(
      "the standby to take the lease",
      async () => (await holder())?.holder.split(":")[1] === String(children[standby]!.pid),
      30_000,
    );
    expect((await holder())!.token).toBe("2");

    await admin.say(secret, "!whoami");
    const whoami = await admin.waitFrom(botId, secret, (s) => bodyOf(s).includes(admin.userId), 60_000);
    expect(whoami.encrypted).toBe(true);
    // The same device: none was made for the failover, and the people in the room see one device.
    expect(await made()).toEqual([device]);
    const after = await admin.client.getCrypto()!.getUserDeviceInfo([botId], true);
    expect([...(after.get(botId)?.keys() ?? [])]).toEqual([device]); // only devices with keys
    // `!ping` was answered once, though the standby resumed from an earlier sync position.
    expect(admin.from(botId, secret).filter((s) => /pong/.test(bodyOf(s)))).toHaveLength(1);
    // Its writes go in under its own token.
    const tokens = await db!.pool.query<{ token: string }>(
      "SELECT token FROM adapter_state WHERE resource = 'matrix:matrix' AND name = 'store'",
    );
    expect(tokens.rows[0]!.token).toBe("2");

    children[standby]!.kill("SIGTERM");
    expect(await exited(children[standby]!)).toEqual({ code: 0, signal: null });
    // An instance given another key refuses to start (it could not open the device, nor should it seal a new one).
    const other = await runCli(["start", "--config", copyExample("ha-matrix.yaml", folders[leader]!.dir)], {
      cwd: folders[leader]!.dir,
      env: { ...env, SWITCHBOARD_STATE_KEY: randomBytes(32).toString("base64") },
    });
    expect(other.code).not.toBe(0);
    expect(other.stderr).toMatch(
      /store\.postgres\.stateKey is not the key this database's adapter state is sealed with/,
    );
    expect(await made()).toEqual([device]);
    // The key is in no log of either instance (which did log the lease changing hands).
    const key = env.SWITCHBOARD_STATE_KEY!;
    const logs = folders.map((f) => readFileSync(join(f.dir, ".switchboard/switchboard.log"), "utf8"));
    expect(logs.join("\n")).toMatch(/took the lease/);
    for (const text of [...logs, ...stderr]) {
      expect(text).not.toContain(key);
      expect(text).not.toContain(Buffer.from(key, "base64").toString("hex"));
    }
  }, 180_000);
});
