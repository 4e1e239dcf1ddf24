/**
 * Identity against inspircd with atheme-services: the bot logs in with SASL PLAIN, a registered user's account
 * (account-tag) grants their roles, a user without an account who takes the admin's nick is a guest, and a logout
 * (account-notify) demotes. Also `+draft/reply`, and inspircd's default flood limits.
 */
import type { Bot } from "@switchboard/core";
import { IrcUser, type ServicesServer, startInspircdWithServices, until } from "@switchboard/test-servers";
import { Client } from "irc-framework";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { IrcAdapter } from "../src/index.js";
import { type LogEntry, startBot, wideLine } from "./bot.js";

const BOT = "sbot";

/** Registers a services account by connecting with its name as nick and asking NickServ. */
async function registerAccount(port: number, account: string, password: string): Promise<void> {
  const user = await IrcUser.connect({ port, nick: account });
  await user.services(`REGISTER ${password} ${account}@example.org`, /registered/i);
  await user.quit();
}

describe("IRC adapter on inspircd with atheme-services", () => {
  let server: ServicesServer;
  let bot: Bot;
  let adapter: IrcAdapter;
  let logs: LogEntry[];
  let admin: IrcUser;
  let watcher: IrcUser;

  beforeAll(async () => {
    server = await startInspircdWithServices();
    await Promise.all([
      registerAccount(server.port, "sbot", "bot-secret"),
      registerAccount(server.port, "admin", "admin-secret"),
    ]);
    ({ bot, adapter, logs } = await startBot(
      {
        host: "127.0.0.1",
        port: server.port,
        nick: BOT,
        channels: ["#ops"],
        sasl: { mechanism: "PLAIN", account: "sbot", password: "bot-secret" },
      },
      {
        roles: { admin: { permissions: ["admin:*"] } },
        principals: { admin: { roles: ["admin"], identities: { irc: "admin" } } },
      },
    ));
    [admin, watcher] = await Promise.all([
      IrcUser.connect({ port: server.port, nick: "admin", sasl: { account: "admin", password: "admin-secret" } }),
      IrcUser.connect({ port: server.port, nick: "watcher" }),
    ]);
    await Promise.all([admin.join("#ops"), watcher.join("#ops")]);
  });

  afterAll(async () => {
    await admin?.quit();
    await watcher?.quit();
    await bot?.stop();
    await server?.stop();
  });

  it("logs the bot in to its own account with SASL PLAIN", async () => {
    expect(logs.find((l) => l.msg === "logged in to services")?.data.account).toBe("sbot");
    const whois = await new Promise<{ account?: string }>((resolve) => watcher.client.whois(BOT, resolve));
    expect(whois.account).toBe("sbot");
  });

  it("grants a registered user's roles from the account on the message", async () => {
    admin.say("#ops", "!admin");
    const reply = await admin.waitFor(BOT, /admin command run/, "#ops");
    expect(reply.text).toBe("admin: admin command run by admin");
  });

  it("threads the reply to the command with +draft/reply", async () => {
    const before = watcher.received.length;
    admin.say("#ops", "!ping");
    await watcher.waitFor(BOT, /pong/, "#ops");
    const seen = watcher.received.slice(before);
    const command = seen.find((r) => r.from === "admin" && r.text === "!ping")!;
    const reply = seen.find((r) => r.from === BOT && /pong/.test(r.text))!;
    expect(command.tags.msgid).toBeTruthy();
    expect(reply.tags["+draft/reply"]).toBe(command.tags.msgid);
  });

  it("refuses a user without an account who took the admin's nick, as a guest", async () => {
    admin.client.changeNick("admin_away");
    await until(() => admin.nick === "admin_away", "the admin to change nick");
    const spoofer = await IrcUser.connect({ port: server.port, nick: "admin" });
    await spoofer.join("#ops");
    spoofer.say("#ops", "!admin");
    const reply = await spoofer.waitFor(BOT, /denied/, "#ops");
    expect(reply.text).toMatch(/^admin: .*denied.*admin:run/);
    spoofer.say("#ops", "!whoami");
    expect((await spoofer.waitFor(BOT, /you are:/, "#ops")).text).toMatch(/a guest/);
    expect((await spoofer.waitFor(BOT, /verified:/, "#ops")).text).toMatch(/verified: +no/);
    // The real admin, under another nick, is still the admin: identity is the account, not the nick.
    admin.say("#ops", "!admin");
    await admin.waitFor(BOT, /admin command run by admin/, "#ops");
    await spoofer.quit();
  });

  it("tracks accounts from extended-join and account-notify, and a logout demotes", async () => {
    expect(adapter.trackedAccount("admin_away")).toBe("admin");
    expect(adapter.trackedAccount("watcher")).toBeNull();
    await admin.services("LOGOUT", /logged out/i);
    await until(() => adapter.trackedAccount("admin_away") === null, "account-notify to reach the bot");
    admin.say("#ops", "!admin");
    const reply = await admin.waitFor(BOT, /denied/, "#ops");
    expect(reply.text).toMatch(/admin:run/);
    await admin.services("IDENTIFY admin admin-secret", /now logged in|identified/i);
    await until(() => adapter.trackedAccount("admin_away") === "admin", "account-notify of the login");
  });

  it("stays within inspircd's default flood limits where sending at once gets a client disconnected", async () => {
    // Control: 15 lines of 460 bytes written at once overflow inspircd's receive queue and the client is thrown out
    // (measured: 12 such lines get through, 15 do not).
    const flooder = new Client();
    const quitReason = new Promise<string>((resolve) =>
      watcher.client.on("quit", (e: { nick: string; message: string }) => {
        if (e.nick === "flooder") resolve(e.message);
      }),
    );
    flooder.once("registered", () => flooder.join("#ops"));
    flooder.on("join", () => {
      for (let i = 1; i <= 15; i++) flooder.say("watcher", wideLine(i, 15));
    });
    flooder.connect({ host: "127.0.0.1", port: server.port, nick: "flooder", auto_reconnect: false });
    expect(await quitReason).toMatch(/RecvQ|flood/i);

    // The bot sends the same 15 lines through its bucket with the default settings (5 at once, then 1 a second).
    watcher.say(BOT, "wide 15");
    await watcher.waitFor(BOT, /^wide 15 of 15 /, "watcher", 30_000);
    const lines = watcher.from(BOT, "watcher").filter((r) => r.text.startsWith("wide "));
    expect(lines.map((r) => r.text)).toEqual(Array.from({ length: 15 }, (_, i) => wideLine(i + 1, 15)));
    expect(adapter.connected).toBe(true);
    expect(logs.filter((l) => l.msg === "registered with IRC server")).toHaveLength(1);
  }, 60_000);
});
