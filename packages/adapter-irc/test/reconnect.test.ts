/**
 * Keeping the connection up against a real ngircd: a taken nick (fallback, then taking it back), the server
 * stopped and started again mid-session, and a server that stops answering (ping timeout).
 */
import type { Bot } from "@switchboard/core";
import { IrcUser, startNgircd, type TestServer, until } from "@switchboard/test-servers";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { IrcAdapter } from "../src/index.js";
import { type LogEntry, startBot } from "./bot.js";

const BOT = "switchboard";

describe("IRC adapter reconnecting to ngircd", () => {
  let server: TestServer;
  let bot: Bot;
  let adapter: IrcAdapter;
  let logs: LogEntry[];
  let alice: IrcUser;
  let holder: IrcUser;

  /** Connects alice (again) and checks that the bot answers her in #ops. */
  async function aliceGetsAnAnswer(): Promise<void> {
    if (alice.closed) {
      alice = await IrcUser.connect({ port: server.port, nick: "alice" });
      await alice.join("#ops");
    }
    alice.say("#ops", "!ping");
    await alice.waitFor(adapter.nick ?? BOT, /pong/, "#ops");
  }

  beforeAll(async () => {
    server = await startNgircd();
    // Someone has the bot's nick before it connects.
    holder = await IrcUser.connect({ port: server.port, nick: BOT });
    await holder.join("#ops");
    ({ bot, adapter, logs } = await startBot({
      host: "127.0.0.1",
      port: server.port,
      nick: BOT,
      channels: ["#ops"],
      accountLookup: false,
      regainInterval: 2000,
      pingInterval: 1000,
      pingTimeout: 3000,
      connectTimeout: 5000,
      reconnect: { initialDelay: 500, maxDelay: 4000 },
    }));
    alice = await IrcUser.connect({ port: server.port, nick: "alice" });
  });

  afterAll(async () => {
    await alice?.quit();
    await holder?.quit();
    await bot?.stop();
    await server?.stop();
  });

  it("uses a fallback nick while its nick is taken, answers to it, and takes its nick back when it frees up", async () => {
    expect(adapter.nick).toBe(`${BOT}_`);
    await alice.join("#ops");
    alice.say("#ops", `${BOT}_: ping`);
    await alice.waitFor(`${BOT}_`, /pong/, "#ops");
    await holder.quit();
    await until(() => adapter.nick === BOT, "the bot to take its nick back", 10_000);
    // Its current nick addresses it, the old fallback no longer does (core addresses with the nick the adapter
    // reports; the adapter never rewrites the text). Lines arrive in order, so a pong for the first would come first.
    const seen = alice.from(BOT, "#ops").length;
    alice.say("#ops", `${BOT}_: ping`);
    alice.say("#ops", `${BOT}: help ping`);
    await until(() => alice.from(BOT, "#ops").length > seen, "the answer to the current nick");
    expect(alice.from(BOT, "#ops")[seen]!.text).not.toMatch(/pong/);
  });

  it("comes back after the server is stopped and started again: rejoins and answers within 30 s", async () => {
    const seen = logs.length;
    await server.ircd.stop();
    await until(() => !adapter.connected, "the bot to notice");
    await new Promise((resolve) => setTimeout(resolve, 1500)); // a reconnect attempt or two fail meanwhile
    await server.ircd.start();
    await until(() => adapter.connected && adapter.channels.includes("#ops"), "the bot back in #ops", 30_000);
    await aliceGetsAnAnswer();
    const attempts = logs.slice(seen).filter((l) => l.msg === "IRC connection lost; reconnecting");
    expect(attempts.length).toBeGreaterThanOrEqual(2);
    // Backoff: each attempt logs its number and delay; delays never shrink below half of the doubled base.
    expect(attempts.map((a) => a.data.attempt)).toEqual(attempts.map((_, i) => i + 1));
    for (const a of attempts) expect(Number(a.data.delayMs)).toBeLessThanOrEqual(4000);
    expect(logs.slice(seen).filter((l) => l.msg === "connecting to IRC server").length).toBe(attempts.length);
  }, 40_000);

  it("detects a server that stops answering (ping timeout) and reconnects", async () => {
    const seen = logs.length;
    server.ircd.freeze();
    await until(() => logs.slice(seen).some((l) => l.msg.includes("ping timeout")), "a ping timeout", 15_000);
    server.ircd.thaw();
    await until(() => adapter.connected && adapter.channels.includes("#ops"), "the bot back in #ops", 30_000);
    await until(() => adapter.nick === BOT, "the bot to have its nick again", 15_000);
    await aliceGetsAnAnswer();
  }, 60_000);
});

describe("IRC adapter with a nick longer than the server allows", () => {
  it("registers with the nick cut to 9 characters, answers, and stops trying for the long one", async () => {
    const server = await startNgircd({ maxNickLength: 9, penalties: false });
    const { bot, adapter, logs } = await startBot({
      host: "127.0.0.1",
      port: server.port,
      nick: BOT,
      channels: ["#ops"],
      accountLookup: false,
      regainInterval: 300,
    });
    try {
      expect(adapter.nick).toBe("switchboa");
      const alice = await IrcUser.connect({ port: server.port, nick: "alice" });
      await alice.join("#ops");
      alice.say("#ops", "switchboa: ping");
      await alice.waitFor("switchboa", /pong/, "#ops");
      await until(() => logs.some((l) => l.msg.includes("longer than the server allows")), "the regain to give up");
      await alice.quit();
    } finally {
      await bot.stop();
      await server.stop();
    }
  });
});

describe("IRC adapter registering with a server password and joining a channel with a key", () => {
  it("sends PASS, and joins a +k channel with its key", async () => {
    const server = await startNgircd({ password: "server-secret", penalties: false });
    const alice = await IrcUser.connect({ port: server.port, nick: "alice", password: "server-secret" });
    await alice.join("#locked");
    alice.client.raw("MODE", "#locked", "+k", "chan-key");
    await until(() => alice.raw.some((l) => / MODE #locked \+k/.test(l)), "the channel key to be set");
    const { bot, adapter } = await startBot({
      host: "127.0.0.1",
      port: server.port,
      password: "server-secret",
      nick: BOT,
      channels: ["#open", { name: "#locked", key: "chan-key" }],
      accountLookup: false,
    });
    try {
      expect(adapter.connected).toBe(true);
      expect(adapter.channels.sort()).toEqual(["#locked", "#open"]);
      alice.say("#locked", "!ping");
      await alice.waitFor(BOT, /pong/, "#locked");
    } finally {
      await alice.quit();
      await bot.stop();
      await server.stop();
    }
  });
});
