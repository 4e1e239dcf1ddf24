import type { ChildProcessWithoutNullStreams } from "node:child_process";
import { join } from "node:path";
import { openPostgres, type PostgresStorage } from "@switchboard/store-postgres";
import {
  IrcUser,
  type ServicesServer,
  startInspircdWithServices,
  startPostgres,
  type TestPostgres,
  until,
} from "@switchboard/test-servers";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { assertBuilt, exited, repoRoot, runCli, spawnCli, tempDir } from "./cli.js";

const config = join(repoRoot, "examples/ha-irc.yaml");

/**
 * examples/ha-irc.yaml with two instances (two `switchboard start` processes, each in its own folder) on one
 * PostgreSQL database and a real IRC server: `migrate` once, one instance holds the nick, the other takes over
 * after `kill -9` of the leader, and a clean stop.
 */
describe("several instances: examples/ha-irc.yaml", () => {
  let postgres: TestPostgres;
  let server: ServicesServer;
  let bob: IrcUser;
  let alice: IrcUser;
  const folders = [tempDir("switchboard-ha-a-"), tempDir("switchboard-ha-b-")];
  const children: ChildProcessWithoutNullStreams[] = [];
  let env: Record<string, string>;
  let db: PostgresStorage | undefined;

  beforeAll(async () => {
    assertBuilt();
    [postgres, server] = await Promise.all([startPostgres(), startInspircdWithServices({ relaxedFloodLimits: true })]);
    env = { DATABASE_URL: await postgres.database("switchboard"), IRC_PORT: String(server.port) };
    const registrar = await IrcUser.connect({ port: server.port, nick: "alice" });
    await registrar.services("REGISTER alice-secret alice@example.org", /registered/i);
    await registrar.quit();
    [alice, bob] = await Promise.all([
      IrcUser.connect({ port: server.port, nick: "alice", sasl: { account: "alice", password: "alice-secret" } }),
      IrcUser.connect({ port: server.port, nick: "bob" }),
    ]);
    await Promise.all([alice.join("#ops"), bob.join("#ops")]);
  }, 60_000);

  afterAll(async () => {
    for (const child of children) if (child.exitCode === null) child.kill("SIGKILL");
    await Promise.all(children.map((child) => exited(child)));
    await bob?.quit();
    await alice?.quit();
    await server?.stop();
    await db?.close();
    await postgres?.stop();
    for (const folder of folders) folder.remove();
  });

  it("migrates once, connects one instance to IRC, and fails over to the other after kill -9", async () => {
    const first = await runCli(["migrate", "--config", config], { cwd: folders[0]!.dir, env });
    expect(first.stdout).toMatch(/^migrated postgres:\/\/127\.0\.0\.1:\d+\/switchboard from schema version 0 to 7$/m);
    const again = await runCli(["migrate", "--config", config], { cwd: folders[1]!.dir, env });
    expect(again.stdout).toMatch(/is up to date \(schema version 7\)/);

    db = await openPostgres({ url: env.DATABASE_URL! });
    for (const folder of folders) children.push(spawnCli(["start", "--config", config], folder.dir, env));
    const joins: string[] = [];
    bob.client.on("join", (e: { nick: string; channel: string }) => joins.push(e.nick));
    await until(
      async () => {
        bob.say("#ops", "!ping");
        await new Promise((resolve) => setTimeout(resolve, 300));
        return bob.from("switchboard", "#ops").some((r) => /pong/.test(r.text));
      },
      "the bot to answer in #ops",
      30_000,
    );
    // The lease row names the holder: host:pid:random.
    const holder = async () => {
      const { rows } = await db!.pool.query<{ holder: string; token: string }>(
        "SELECT holder, token FROM leases WHERE resource = 'irc:irc' AND expires_at > now()",
      );
      return rows[0];
    };
    const held = await holder();
    const leader = children.findIndex((child) => held?.holder.split(":")[1] === String(child.pid));
    expect(leader).toBeGreaterThanOrEqual(0);
    expect(held!.token).toBe("1");
    const standby = 1 - leader;
    // `status` (the owner may): which instance answered, and who holds the connection.
    alice.say("#ops", "!status");
    const status = await alice.waitFor("switchboard", /irc:irc: led by/, "#ops", 30_000);
    expect(status.text).toBe("irc:irc: led by this instance (token 1)");
    expect(alice.from("switchboard", "#ops").map((r) => r.text)).toContain(
      `alice: answered by instance ${held!.holder}`,
    );
    // One bot on the network: the standby never connected (no switchboard_ fallback nick).
    expect(joins.filter((nick) => nick.startsWith("switchboard"))).toEqual(["switchboard"]);

    children[leader]!.kill("SIGKILL");
    await exited(children[leader]!);
    // The standby takes the lease once it runs out (TTL 10 s, database time), with the next fencing token.
    await until(
      async () => (await holder())?.holder.split(":")[1] === String(children[standby]!.pid),
      "the standby to take the lease",
      30_000,
    );
    expect((await holder())!.token).toBe("2");
    const seen = bob.from("switchboard", "#ops").length;
    await until(
      async () => {
        bob.say("#ops", "!ping");
        await new Promise((resolve) => setTimeout(resolve, 500));
        return bob
          .from("switchboard", "#ops")
          .slice(seen)
          .some((r) => /pong/.test(r.text));
      },
      "the standby to connect with the nick and answer",
      30_000,
    );

    const since = alice.received.length;
    alice.say("#ops", "!status");
    expect((await alice.waitFor("switchboard", /token 2/, "#ops", 30_000, since)).text).toBe(
      "irc:irc: led by this instance (token 2)",
    );

    children[standby]!.kill("SIGTERM");
    expect(await exited(children[standby]!)).toEqual({ code: 0, signal: null });
  }, 120_000);
});
