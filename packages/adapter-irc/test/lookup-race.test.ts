/**
 * The account lookup race on a server without account-tag (inspircd + atheme, ircv3_accounttag not loaded): a user
 * without an account sends the bot a private command and at once gives up their nick; an identified user takes the
 * freed nick before the bot's WHOX is answered. The answer then names the identified user's account, but the command
 * was not theirs: it must run as a guest.
 *
 * Made deterministic with the real server: the bot talks to inspircd through a relay ({@link HeldLink}) that holds
 * the bot's lines (its WHO) until both nick changes have happened on the server, as a lagged link would; nothing the
 * server says is changed, and the server answers the WHO with its own state.
 */
import type { Bot } from "@switchboard/core";
import { IrcUser, type ServicesServer, startInspircdWithServices, until } from "@switchboard/test-servers";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { IrcAdapter } from "../src/index.js";
import { startBot } from "./bot.js";
import { HeldLink } from "./held-link.js";
import { RawIrc } from "./raw-irc.js";

const BOT = "sbot";

describe("IRC account lookups racing a nick change", () => {
  let server: ServicesServer;
  let link: HeldLink;
  let bot: Bot;
  let adapter: IrcAdapter;
  const people: Array<IrcUser | RawIrc> = [];

  const identified = async (nick: string) => {
    const user = await IrcUser.connect({ port: server.port, nick, sasl: { account: "ops1", password: "ops-secret" } });
    people.push(user);
    return user;
  };
  const raw = async (nick: string, ident: string) => {
    const user = await RawIrc.connect(server.port, nick, ident);
    people.push(user);
    return user;
  };
  /** Waits until the bot's WHO for `nick` is sent and held at the relay, then lets it through. */
  const releaseWho = async (nick: string) => {
    await until(() => new RegExp(`^WHO ${nick} `, "m").test(link.toServer.held), `the bot's WHO ${nick} at the relay`);
    link.toServer.release();
  };

  beforeAll(async () => {
    server = await startInspircdWithServices({ accountTag: false });
    const registrar = await IrcUser.connect({ port: server.port, nick: "ops1" });
    await registrar.services("REGISTER ops-secret ops1@example.org", /registered/i);
    await registrar.quit();
    link = await HeldLink.start(server.port);
    ({ bot, adapter } = await startBot(
      { host: "127.0.0.1", port: link.port, nick: BOT, channels: ["#ops"] },
      {
        roles: { admin: { permissions: ["admin:*"] } },
        principals: { ops1: { roles: ["admin"], identities: { irc: "ops1" } } },
      },
    ));
  });

  afterAll(async () => {
    link?.toServer.release();
    await Promise.all(people.map((p) => p.quit()));
    await bot?.stop();
    await link?.close();
    await server?.stop();
  });

  it("(control) an identified user's own private command runs as their account after a held lookup", async () => {
    const owner = await identified("owner");
    link.toServer.hold();
    owner.say(BOT, "admin");
    await releaseWho("owner");
    await owner.waitFor(BOT, /admin command run by ops1/, "owner");
  });

  it("a guest's command is not run as the identified user who took the nick in a channel with the bot", async () => {
    // The identified user is in #ops with the bot, so the bot sees their NICK; the guest picked the same ident and
    // host, so only the nick change tells the WHOX answer apart.
    const victim = await identified("opsalt");
    await victim.join("#ops");
    await until(() => adapter.trackedAccount("opsalt") === "ops1", "the bot to track opsalt's account");
    const attacker = await raw("boss", "opsalt");
    link.toServer.hold();
    attacker.send(`PRIVMSG ${BOT} :admin`, "NICK bossgone");
    await attacker.waitLine(/ NICK :?bossgone$/, "the attacker's nick change");
    victim.client.changeNick("boss");
    await until(() => victim.nick === "boss", "the victim to take the freed nick");
    await until(() => adapter.trackedAccount("boss") === "ops1", "the bot to see the victim's nick change");
    await releaseWho("boss");
    // The private reply goes to the nick "boss", which the victim holds now.
    const reply = await victim.waitFor(BOT, /denied|run by/, "boss");
    expect(reply.text).toMatch(/denied: .*you are a guest/);
    await bot.idle();
    expect(victim.from(BOT).some((r) => /run by/.test(r.text))).toBe(false);
  });

  it("a guest's command is not run as an identified user with another ident who shares no channel with the bot", async () => {
    // Nobody is in a channel with the bot: it sees no nick change at all. The WHOX answer is about opsalt2@127.0.0.1,
    // the command came from boss2@127.0.0.1.
    const victim = await identified("opsalt2");
    const attacker = await raw("boss2", "boss2");
    link.toServer.hold();
    attacker.send(`PRIVMSG ${BOT} :admin`, "NICK boss2gone");
    await attacker.waitLine(/ NICK :?boss2gone$/, "the attacker's nick change");
    victim.client.changeNick("boss2");
    await until(() => victim.nick === "boss2", "the victim to take the freed nick");
    await releaseWho("boss2");
    const reply = await victim.waitFor(BOT, /denied|run by/, "boss2");
    expect(reply.text).toMatch(/denied: .*you are a guest/);
    await bot.idle();
    expect(victim.from(BOT).some((r) => /run by/.test(r.text))).toBe(false);
  });
});
