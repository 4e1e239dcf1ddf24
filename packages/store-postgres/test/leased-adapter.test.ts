import { type AdapterHost, createBot, defineCommand, out, silentLogger } from "@switchboard/core";
import { until } from "@switchboard/test-servers";
import { MemoryAdapter } from "@switchboard/testing";
import { describe, expect, it } from "vitest";
import { LeasedAdapter, LeaseListener } from "../src/index.js";
import { StandbyError } from "../src/leased-adapter.js";
import { freshDatabase, onCleanup, open, usePostgres } from "./helpers.js";

usePostgres();

/** One instance: a bot whose "irc" connection (an in-memory adapter) only the lease holder starts. */
async function instance(
  url: string,
  name: string,
  connection: MemoryAdapter = new MemoryAdapter("irc"),
  lease: { ttlMs?: number; pollEveryMs?: number } = {},
) {
  const storage = await open(url, { instance: name });
  const listener = new LeaseListener(storage.connect);
  await listener.start();
  onCleanup(() => listener.close());
  const leased = new LeasedAdapter(connection, {
    pool: storage.pool,
    holder: name,
    prefix: "irc",
    listener,
    pollEveryMs: 60_000,
    ...lease,
  });
  const bot = createBot({
    store: storage.store,
    auditLog: storage.auditLog,
    logger: silentLogger(),
    adapters: [leased],
    commands: [
      defineCommand({
        name: "which",
        summary: "which instance answers",
        guests: false,
        handler: async () => out.text(`answered by ${name}`),
      }),
    ],
    policy: {
      roles: { ops: { permissions: ["*"] } },
      principals: { alice: { roles: ["ops"], identities: { irc: "alice" } } },
    },
  });
  await bot.start();
  onCleanup(() => bot.stop());
  return { bot, leased, connection };
}

const ping = (id: string) => ({
  id,
  network: "irc",
  room: { id: "#ops", direct: false },
  sender: { id: "alice", name: "alice", verified: true },
  text: "!which",
  time: new Date(),
});

describe("LeasedAdapter", () => {
  it("connects only on the lease holder; the standby connects when the leader stops", async () => {
    const url = await freshDatabase();
    const a = await instance(url, "a");
    const b = await instance(url, "b");
    expect(a.leased.leading).toBe(true);
    expect(a.leased.elector.resource).toBe("irc:irc");
    expect(b.leased.leading).toBe(false);
    // What /readyz and /metrics show: the leader connected, the standby waiting (and ready).
    expect(a.bot.adapterStatus().irc).toMatchObject({
      connected: true,
      lease: { resource: "irc:irc", role: "leader" },
    });
    expect(b.bot.adapterStatus().irc).toMatchObject({ connected: false, lease: { role: "standby" } });
    // The standby's connection is not open: nothing can reach it, and it refuses to send.
    await expect(b.connection.inject(ping("m0"))).rejects.toThrow(/not started/);
    await expect(
      b.leased.send({ network: "irc", room: { id: "#ops", direct: false } }, { blocks: [], kind: "reply" }),
    ).rejects.toBeInstanceOf(StandbyError);

    await a.bot.stop();
    await until(() => b.leased.leading, "the standby to take over");
    await b.connection.inject(ping("m1"));
    expect(b.connection.sent.map((s) => s.message.blocks)).toEqual([[{ type: "text", text: "answered by b" }]]);
    expect(a.leased.leading).toBe(false);
    expect(b.bot.adapterStatus().irc).toMatchObject({ connected: true, lease: { role: "leader" } });
  });

  it("keeps the lease while a connect takes longer than the TTL (a Matrix login and first sync)", async () => {
    const url = await freshDatabase();
    /** A connection whose start takes 2.5 s, more than the 1 s lease. */
    class SlowAdapter extends MemoryAdapter {
      override async start(host: AdapterHost): Promise<void> {
        await new Promise((resolve) => setTimeout(resolve, 2_500));
        await super.start(host);
      }
    }
    const a = await instance(url, "a", new SlowAdapter("irc"), { ttlMs: 1_000, pollEveryMs: 100 });
    const b = await instance(url, "b", new MemoryAdapter("irc"), { ttlMs: 1_000, pollEveryMs: 100 });
    expect(a.leased.leading).toBe(true);
    expect(a.leased.elector.lease?.token).toBe(1);
    expect(b.leased.leading).toBe(false);
    await a.connection.inject(ping("slow"));
    expect(a.connection.sent).toHaveLength(1);
  });
});
