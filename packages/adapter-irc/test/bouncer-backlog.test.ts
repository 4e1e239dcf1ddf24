/**
 * Behind a bouncer: what the server sent while the bot was away arrives later, with the server's `time` tag of when
 * it was sent (IRCv3 server-time). A command older than `staleAfterMs` is not run, and the bot says so once.
 *
 * The bouncer here is a relay ({@link HeldLink}) that buffers what inspircd (with ircv3_servertime) sends the bot
 * and plays it back unchanged, as a bouncer plays back its buffer when its client returns.
 */
import type { Bot } from "@switchboard/core";
import { IrcUser, type ServicesServer, startInspircdWithServices, until } from "@switchboard/test-servers";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startBot } from "./bot.js";
import { HeldLink } from "./held-link.js";

const BOT = "sbot";
const STALE_AFTER_MS = 1500;

describe("IRC commands replayed late by a bouncer", () => {
  let server: ServicesServer;
  let link: HeldLink;
  let bot: Bot;
  let asker: IrcUser;

  beforeAll(async () => {
    server = await startInspircdWithServices();
    link = await HeldLink.start(server.port);
    ({ bot } = await startBot({ host: "127.0.0.1", port: link.port, nick: BOT, channels: ["#ops"] }, undefined, {
      staleAfterMs: STALE_AFTER_MS,
    }));
    asker = await IrcUser.connect({ port: server.port, nick: "asker" });
    await asker.join("#ops");
  });

  afterAll(async () => {
    link?.toBot.release();
    await asker?.quit();
    await bot?.stop();
    await link?.close();
    await server?.stop();
  });

  it("does not run a command whose server-time is older than staleAfterMs, and answers it once", async () => {
    link.toBot.hold();
    const sentAt = Date.now();
    asker.say("#ops", "!ping");
    asker.say(BOT, "ping");
    await until(() => /PRIVMSG sbot :ping\r\n/.test(link.toBot.held), "the private ping to reach the bouncer");
    expect(link.toBot.held).toMatch(/^@\S*time=\S+ :asker!\S+ PRIVMSG #ops :!ping/m);
    await until(() => Date.now() - sentAt > STALE_AFTER_MS + 1000, "the commands to become stale");
    link.toBot.release();
    const inChannel = await asker.waitFor(BOT, /ignored|pong/, "#ops");
    expect(inChannel.text).toMatch(/ignored "ping": it was sent \d+(\.\d+)?s ago/);
    const inPrivate = await asker.waitFor(BOT, /ignored|pong/, "asker");
    expect(inPrivate.text).toMatch(/ignored "ping"/);
    // A fresh command is answered: the bot is there, and the old ones were answered once and not run.
    asker.say("#ops", "!ping");
    await asker.waitFor(BOT, /pong/, "#ops");
    await bot.idle();
    const fromBot = asker.from(BOT).map((r) => r.text);
    expect(fromBot.filter((t) => /ignored "ping"/.test(t))).toHaveLength(2);
    expect(fromBot.filter((t) => /pong/.test(t))).toHaveLength(1);
  });
});
