import type { ChildProcessWithoutNullStreams } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { openPostgres, type PostgresStorage } from "@switchboard/store-postgres";
import {
  eventually,
  IrcUser,
  type ServicesServer,
  startInspircdWithServices,
  startPostgres,
  TcpProxy,
  type TestPostgres,
  until,
} from "@switchboard/test-servers";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { assertBuilt, copyExample, exited, spawnCli, tempDir } from "./cli.js";

/**
 * Fault test 5 of the scale-out research (§8): the leader is cut off from the IRC server, not from PostgreSQL.
 * Two `switchboard start --config examples/ha-irc.yaml` processes on one throwaway PostgreSQL and a real inspircd;
 * instance A reaches the IRC server through a cuttable TCP proxy, instance B directly. While A's chat link is
 * partitioned, A keeps renewing its lease (same fencing token) and B never takes it; the partitioned connection is
 * then ended through the proxy (as the IRC ping timeout would, after two minutes by default), A's reconnect waits
 * in the partition, and after the heal A is back in the channel and answers once.
 */
describe("several instances: the leader cut off from IRC only", () => {
  let postgres: TestPostgres;
  let server: ServicesServer;
  let proxy: TcpProxy;
  let bob: IrcUser;
  let db: PostgresStorage | undefined;
  const folders = [tempDir("switchboard-chatpart-a-"), tempDir("switchboard-chatpart-b-")];
  const children: ChildProcessWithoutNullStreams[] = [];
  /** Every (holder, token) seen on the IRC lease, in order, without repeats: sampled all through the test. */
  const leaseHistory: string[] = [];
  let sampler: NodeJS.Timeout | undefined;

  beforeAll(async () => {
    assertBuilt();
    [postgres, server] = await Promise.all([startPostgres(), startInspircdWithServices({ relaxedFloodLimits: true })]);
    proxy = await TcpProxy.start(server.port);
    bob = await IrcUser.connect({ port: server.port, nick: "bob" });
    await bob.join("#ops");
  }, 60_000);

  afterAll(async () => {
    clearInterval(sampler);
    for (const child of children) if (child.exitCode === null) child.kill("SIGKILL");
    await Promise.all(children.map((child) => exited(child)));
    await bob?.quit();
    await proxy?.close();
    await server?.stop();
    await db?.close();
    await postgres?.stop();
    for (const folder of folders) folder.remove();
  });

  it("keeps the lease with the same token, reconnects the leader after the heal, and never connects the standby", async () => {
    const url = await postgres.database("switchboard");
    // Each instance runs its own copy of the example, so each has its own log: relative to the copy's folder,
    // <folder>/examples/.switchboard/switchboard.log.
    const configs = folders.map((folder) => copyExample("ha-irc.yaml", folder.dir));
    const logOf = (i: number) => {
      const file = join(folders[i]!.dir, "examples/.switchboard/switchboard.log");
      return existsSync(file) ? readFileSync(file, "utf8") : "";
    };
    db = await openPostgres({ url });
    const lease = async () => {
      const { rows } = await db!.pool.query<{ holder: string; token: string; expires_at: Date }>(
        "SELECT holder, token, expires_at FROM leases WHERE resource = 'irc:irc'",
      );
      return rows[0];
    };
    const quits: string[] = [];
    const joins: string[] = [];
    bob.client.on("join", (e: { nick: string; channel: string }) => joins.push(e.nick));
    bob.client.on("quit", (e: { nick: string }) => quits.push(e.nick));
    const pongs = () => bob.from("switchboard", "#ops").filter((r) => /pong/.test(r.text)).length;

    // A (through the proxy) starts alone, takes the lease and answers.
    children.push(
      spawnCli(["start", "--config", configs[0]!], folders[0]!.dir, {
        DATABASE_URL: url,
        IRC_PORT: String(proxy.port),
      }),
    );
    const a = children[0]!;
    await until(
      async () => {
        bob.say("#ops", "!ping");
        await new Promise((resolve) => setTimeout(resolve, 300));
        return pongs() > 0;
      },
      "instance A to answer in #ops",
      60_000,
    );
    const held = (await lease())!;
    expect(held.holder.split(":")[1]).toBe(String(a.pid));
    expect(held.token).toBe("1");
    const record = async () => {
      const now = await lease().catch(() => undefined);
      const seen = now ? `${now.holder} ${now.token}` : "none";
      if (leaseHistory.at(-1) !== seen) leaseHistory.push(seen);
    };
    sampler = setInterval(() => void record(), 100);

    // B (directly to the IRC server) starts as a standby: up once its heartbeat runs in the instances table.
    children.push(
      spawnCli(["start", "--config", configs[1]!], folders[1]!.dir, {
        DATABASE_URL: url,
        IRC_PORT: String(server.port),
      }),
    );
    const b = children[1]!;
    await until(
      async () => {
        const { rows } = await db!.pool.query(
          "SELECT 1 FROM instances WHERE split_part(id, ':', 2) = $1 AND heartbeat_at > started_at AND NOT stopped",
          [String(b.pid)],
        );
        return rows.length === 1;
      },
      "instance B to start and beat in the instances table",
      60_000,
    );

    // The partition: A's bytes to and from the IRC server are held, nothing is closed.
    const cutAt = (await lease())!.expires_at;
    proxy.cut();
    // A keeps renewing past the expiry the lease had when the cut began plus a whole TTL (10 s): had A stopped,
    // B would have taken the lease by then.
    await until(
      async () => {
        const now = await lease();
        return now !== undefined && now.expires_at.getTime() > cutAt.getTime() + 10_000;
      },
      "instance A to renew its lease through the chat partition",
      60_000,
    );
    expect(await lease()).toMatchObject({ holder: held.holder, token: "1" });

    // The partitioned connection ends (reset through the proxy: what A's ping timeout would do after 2 minutes); the
    // server sees the bot leave, and A's reconnect hangs in the partition.
    proxy.reset();
    await until(() => quits.includes("switchboard"), "the IRC server to drop the partitioned bot", 60_000);
    await until(() => /IRC connection lost; reconnecting/.test(logOf(0)), "instance A to reconnect", 60_000);
    await until(() => proxy.connections === 2, "instance A's reconnect to reach the proxy", 60_000);
    expect(await lease()).toMatchObject({ holder: held.holder, token: "1" });

    // The heal: A registers again with its nick, rejoins, and answers exactly once.
    proxy.heal();
    await until(() => joins.filter((nick) => nick === "switchboard").length === 2, "instance A to rejoin #ops", 60_000);
    const before = pongs();
    const since = bob.received.length;
    bob.say("#ops", "!ping");
    await eventually("instance A to answer after the heal", () => pongs() > before, 60_000);
    // A marker after the ping: once its answer is in, any second answer to the ping would have come before it.
    bob.say("#ops", "!pnig");
    await bob.waitFor("switchboard", /unknown command "pnig"/, "#ops", 60_000, since);
    expect(pongs()).toBe(before + 1);

    // Leadership stayed: one holder, one token, all along.
    await record();
    clearInterval(sampler);
    expect(leaseHistory).toEqual([`${held.holder} 1`]);
    // Only A ever connected: the nick joined twice (A, then A again after the heal; never a fallback nick), and B's
    // log has no IRC connection in it.
    expect(joins.filter((nick) => nick.startsWith("switchboard"))).toEqual(["switchboard", "switchboard"]);
    expect(logOf(1)).not.toMatch(/took the lease|connecting to IRC server|registered with IRC server/);
    expect(logOf(0).match(/registered with IRC server/g)).toHaveLength(2);

    for (const child of [b, a]) child.kill("SIGTERM");
    expect(await exited(a)).toEqual({ code: 0, signal: null });
    expect(await exited(b)).toEqual({ code: 0, signal: null });
  }, 240_000);
});
