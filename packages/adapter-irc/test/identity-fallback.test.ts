/**
 * Identity on a server without the account-tag capability (inspircd + atheme with ircv3_accounttag not loaded):
 * accounts come from extended-join and WHOX for people in the bot's channels, are kept current by
 * account-notify, and are looked up with WHOX for someone who shares no channel with the bot.
 */
import type { Bot } from "@switchboard/core";
import { IrcUser, type ServicesServer, startInspircdWithServices, until } from "@switchboard/test-servers";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { IrcAdapter } from "../src/index.js";
import { type LogEntry, startBot } from "./bot.js";

const BOT = "sbot";

describe("IRC adapter identity without account-tag", () => {
  let server: ServicesServer;
  let bot: Bot;
  let adapter: IrcAdapter;
  let logs: LogEntry[];
  let early: IrcUser;
  let late: IrcUser;

  beforeAll(async () => {
    server = await startInspircdWithServices({ accountTag: false });
    const registrar = await IrcUser.connect({ port: server.port, nick: "ops1" });
    await registrar.services("REGISTER ops-secret ops1@example.org", /registered/i);
    await registrar.quit();
    // "early" is in #ops before the bot joins (the bot learns the account with WHOX); "late" joins after it
    // (extended-join). Both log in to the same account.
    early = await IrcUser.connect({
      port: server.port,
      nick: "early",
      sasl: { account: "ops1", password: "ops-secret" },
    });
    await early.join("#ops");
    ({ bot, adapter, logs } = await startBot(
      { host: "127.0.0.1", port: server.port, nick: BOT, channels: ["#ops"] },
      {
        roles: { admin: { permissions: ["admin:*"] } },
        principals: { ops1: { roles: ["admin"], identities: { irc: "ops1" } } },
      },
    ));
    late = await IrcUser.connect({
      port: server.port,
      nick: "late",
      sasl: { account: "ops1", password: "ops-secret" },
    });
    await late.join("#ops");
  });

  afterAll(async () => {
    await early?.quit();
    await late?.quit();
    await bot?.stop();
    await server?.stop();
  });

  it("knows accounts from WHOX after joining and from extended-join", async () => {
    const caps = logs.find((l) => l.msg === "registered with IRC server")?.data.caps as string[];
    expect(caps).toEqual(expect.arrayContaining(["account-notify", "extended-join"]));
    expect(caps).not.toContain("account-tag");
    await until(() => adapter.trackedAccount("early") === "ops1", "WHOX to tell the bot early's account");
    await until(() => adapter.trackedAccount("late") === "ops1", "extended-join to tell the bot late's account");
    early.say("#ops", "!admin");
    await early.waitFor(BOT, /admin command run by ops1/, "#ops");
    late.say("#ops", "!admin");
    await late.waitFor(BOT, /admin command run by ops1/, "#ops");
  });

  it("looks up the account of someone who shares no channel with the bot", async () => {
    const remote = await IrcUser.connect({
      port: server.port,
      nick: "remote",
      sasl: { account: "ops1", password: "ops-secret" },
    });
    expect(adapter.trackedAccount("remote")).toBeUndefined();
    remote.say(BOT, "admin");
    await remote.waitFor(BOT, /admin command run by ops1/, "remote");
    const stranger = await IrcUser.connect({ port: server.port, nick: "stranger" });
    stranger.say(BOT, "admin");
    await stranger.waitFor(BOT, /denied/, "stranger");
    await Promise.all([remote.quit(), stranger.quit()]);
  });

  it("demotes on logout (account-notify) and forgets a nick that leaves", async () => {
    await late.services("LOGOUT", /logged out/i);
    await until(() => adapter.trackedAccount("late") === null, "account-notify of the logout");
    late.say("#ops", "!admin");
    await late.waitFor(BOT, /denied/, "#ops");
    // early changes nick: the account follows; a newcomer taking the old nick is not tracked as ops1.
    early.client.changeNick("early2");
    await until(() => adapter.trackedAccount("early2") === "ops1", "the account to follow the nick change");
    expect(adapter.trackedAccount("early")).toBeUndefined();
    const spoofer = await IrcUser.connect({ port: server.port, nick: "early" });
    await spoofer.join("#ops");
    await until(() => adapter.trackedAccount("early") === null, "extended-join of the spoofer");
    spoofer.say("#ops", "!admin");
    await spoofer.waitFor(BOT, /denied/, "#ops");
    await spoofer.quit();
  });
});
