/**
 * One person cannot drown the room, on a real inspircd + atheme network with its default flood limits: while a guest
 * sends `!help` 30 times (10 at once, then one a second), the owner's `!ping` is answered behind at most a handful
 * of queued lines, the guest gets one "slow down" notice, and what waits to be sent stays bounded. The bot runs
 * with core's default rate limits and the adapter's default flood control.
 */
import { type Bot, createBot, renderText, silentLogger } from "@switchboard/core";
import { IrcUser, type ServicesServer, startInspircdWithServices, until } from "@switchboard/test-servers";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { IrcAdapter } from "../src/index.js";
import { stripFormatting } from "../src/render.js";

const BOT = "sbot";

async function registerAccount(port: number, account: string, password: string): Promise<void> {
  const user = await IrcUser.connect({ port, nick: account });
  await user.services(`REGISTER ${password} ${account}@example.org`, /registered/i);
  await user.quit();
}

describe("a guest flooding a channel on inspircd + atheme", () => {
  let server: ServicesServer;
  let bot: Bot;
  let adapter: IrcAdapter;
  let owner: IrcUser;
  let mallory: IrcUser;
  let watcher: IrcUser;

  beforeAll(async () => {
    server = await startInspircdWithServices();
    await Promise.all([
      registerAccount(server.port, BOT, "bot-secret"),
      registerAccount(server.port, "owner", "owner-secret"),
    ]);
    adapter = new IrcAdapter({
      host: "127.0.0.1",
      port: server.port,
      nick: BOT,
      channels: ["#ops"],
      sasl: { mechanism: "PLAIN", account: BOT, password: "bot-secret" },
    });
    bot = createBot({
      logger: silentLogger(),
      adapters: [adapter],
      policy: {
        roles: { owner: { permissions: ["*"] }, guest: { permissions: [] } },
        principals: { owner: { roles: ["owner"], identities: { irc: "owner" } } },
      },
    });
    await bot.start();
    await until(() => adapter.channels.length === 1, "the bot to join #ops");
    [owner, mallory, watcher] = await Promise.all([
      IrcUser.connect({ port: server.port, nick: "owner", sasl: { account: "owner", password: "owner-secret" } }),
      IrcUser.connect({ port: server.port, nick: "mallory" }),
      IrcUser.connect({ port: server.port, nick: "watcher" }),
    ]);
    await Promise.all([owner.join("#ops"), mallory.join("#ops"), watcher.join("#ops")]);
  });

  afterAll(async () => {
    for (const user of [owner, mallory, watcher]) await user?.quit();
    await bot?.stop(1000);
    await server?.stop();
  });

  it("answers the owner's !ping behind a handful of lines, tells the guest once, and keeps the queue bounded", async () => {
    // Everything the bot hands to the adapter, and when the owner's answer joined the queue (measured in what the
    // watcher had seen by then: what arrives after that and before the answer is what the answer waited behind).
    const handed: Array<{ to: string | undefined; text: string }> = [];
    let queuedAt: number | undefined;
    const send = adapter.send.bind(adapter);
    adapter.send = (target, message) => {
      if (queuedAt === undefined && target.mention?.name === "owner") queuedAt = watcher.received.length;
      handed.push({ to: target.mention?.name, text: renderText(message.blocks) });
      return send(target, message);
    };
    let peak = 0;
    const sampler = setInterval(() => {
      peak = Math.max(peak, adapter.queuedLines);
    }, 50);
    // 10 at once (inspircd lets a client send 10 lines at once), then one a second.
    for (let i = 0; i < 10; i++) mallory.say("#ops", "!help");
    let sent = 10;
    const drip = setInterval(() => {
      if (sent >= 30) return;
      mallory.say("#ops", "!help");
      sent += 1;
    }, 1000);
    try {
      // The room is busy with the guest's answers when the owner asks.
      await until(() => watcher.from(BOT, "#ops").length >= 3 && adapter.queuedLines >= 5, "the flood to queue up");
      const since = watcher.received.length;
      owner.say("#ops", "!ping");
      const pong = await watcher.waitFor(BOT, /^owner: pong, owner$/, "#ops", 30_000, since);
      const ahead = watcher.received
        .slice(queuedAt, watcher.received.indexOf(pong))
        .filter((r) => r.from === BOT && r.target === "#ops");
      expect(queuedAt).toBeDefined();
      expect(ahead.length, ahead.map((r) => r.text).join("\n")).toBeLessThanOrEqual(5);

      await until(() => sent >= 30, "the guest to send 30 commands", 40_000);
      await until(() => bot.jobs.list().length === 0, "the last command to finish");
      // Exactly one slow-down notice for the whole flood, to the guest; it reaches the channel after their answers.
      const notice =
        "⚠ slow down, mallory: guests send at most 5 commands at once, then one every 5s; what you send until you " +
        "pause for a moment is ignored";
      // The notice is not a job: on a loaded machine it can still be on its way to the adapter when the last job
      // ends, so wait until the channel shows it before counting what was handed over.
      const seen = await watcher.waitFor(BOT, /slow down/, "#ops", 60_000);
      expect(stripFormatting(seen.text)).toBe(`mallory: ${notice}`);
      expect(handed.filter((h) => /slow down/.test(h.text))).toEqual([{ to: "mallory", text: notice }]);
    } finally {
      clearInterval(drip);
      clearInterval(sampler);
    }
    // What the guest caused is bounded: at most their share of the 30 commands was answered, and the lines waiting
    // to be sent never went near the adapter's limit.
    const answered = handed.filter((h) => h.to === "mallory" && /^command +what it does/.test(h.text));
    expect(answered.length).toBeGreaterThanOrEqual(5);
    expect(answered.length).toBeLessThanOrEqual(11);
    expect(peak).toBeLessThan(adapter.options.flood.maxQueuedLines);
    expect(peak).toBeLessThanOrEqual(100);
    expect(bot.jobs.list()).toEqual([]);
  }, 90_000);
});
