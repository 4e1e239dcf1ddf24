/**
 * The private rest of a capped reply goes to the asker's nick only while their services account holds it, up to
 * the last line: the rest leaves the flood queue at one line a second, and meanwhile the asker can change nick and
 * someone without an account can take the old one (inspircd + atheme, with account-tag).
 */
import type { Bot } from "@switchboard/core";
import { IrcUser, type ServicesServer, startInspircdWithServices, until } from "@switchboard/test-servers";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { IrcAdapter } from "../src/index.js";
import { type LogEntry, startBot } from "./bot.js";

const BOT = "sbot";

describe("IRC private rest of a capped reply", () => {
  let server: ServicesServer;
  let bot: Bot;
  let adapter: IrcAdapter;
  let logs: LogEntry[];
  let asker: IrcUser;
  let lurker: IrcUser;

  beforeAll(async () => {
    server = await startInspircdWithServices();
    const registrar = await IrcUser.connect({ port: server.port, nick: "ops1" });
    await registrar.services("REGISTER ops-secret ops1@example.org", /registered/i);
    await registrar.quit();
    ({ bot, adapter, logs } = await startBot(
      { host: "127.0.0.1", port: server.port, nick: BOT, channels: ["#ops"] },
      {
        roles: { admin: { permissions: ["admin:*"] } },
        principals: { ops1: { roles: ["admin"], identities: { irc: "ops1" } } },
      },
    ));
    asker = await IrcUser.connect({
      port: server.port,
      nick: "asker",
      sasl: { account: "ops1", password: "ops-secret" },
    });
    lurker = await IrcUser.connect({ port: server.port, nick: "lurker" });
    await Promise.all([asker.join("#ops"), lurker.join("#ops")]);
  });

  afterAll(async () => {
    await Promise.all([asker?.quit(), lurker?.quit()]);
    await bot?.stop();
    await server?.stop();
  });

  it("stops sending the rest when a guest takes the asker's nick while it is still being sent", async () => {
    asker.say("#ops", "!lines 20");
    await asker.waitFor(BOT, /sent to you in private/, "#ops");
    await asker.waitFor(BOT, /the rest of my reply in #ops/, "asker");
    asker.client.changeNick("askeraway");
    await until(() => asker.nick === "askeraway", "the asker's nick change");
    lurker.client.changeNick("asker");
    await until(() => lurker.nick === "asker", "the lurker to take the asker's old nick");
    await until(() => adapter.queuedLines === 0, "the bot's queue to drain", 40_000);
    await bot.idle();
    // Nothing private reached the lurker under the asker's old nick.
    expect(lurker.from(BOT, "asker")).toEqual([]);
    // Whatever was sent before the change went to the asker, in order, after the 5 lines shown in the channel.
    const got = asker.from(BOT, "asker").filter((r) => /line \d+ of 20/.test(r.text));
    expect(got.map((r) => r.text)).toEqual(got.map((_, i) => `line ${i + 6} of 20`));
    expect(got.length).toBeLessThan(15);
    expect(logs.filter((l) => /no longer holds that nick/.test(l.msg)).map((l) => l.data)).toEqual([
      expect.objectContaining({ nick: "asker", account: "ops1" }),
    ]);
  });
});
