/**
 * `identity: account-tag-only`: only the IRCv3 account-tag on the message identifies a sender. On a server without
 * account-tag (inspircd + atheme with ircv3_accounttag not loaded) a user logged in with SASL is a guest, however
 * well the bot could track or look up their account; on a server with account-tag the same user is recognised.
 */
import type { Bot } from "@switchboard/core";
import { IrcUser, type ServicesServer, startInspircdWithServices, until } from "@switchboard/test-servers";
import { afterAll, describe, expect, it } from "vitest";
import type { IrcAdapter } from "../src/index.js";
import { startBot } from "./bot.js";
import { HeldLink } from "./held-link.js";

const BOT = "sbot";
const policy = {
  roles: { admin: { permissions: ["admin:*"] } },
  principals: { ops1: { roles: ["admin"], identities: { irc: "ops1" } } },
};

interface Network {
  server: ServicesServer;
  link: HeldLink;
  bot: Bot;
  adapter: IrcAdapter;
  people: IrcUser[];
}

/** A network with account `ops1`, and a bot with `identity: account-tag-only` in #ops (through a relay that sees its lines). */
async function network(accountTag: boolean): Promise<Network> {
  const server = await startInspircdWithServices({ accountTag });
  const registrar = await IrcUser.connect({ port: server.port, nick: "ops1" });
  await registrar.services("REGISTER ops-secret ops1@example.org", /registered/i);
  await registrar.quit();
  const link = await HeldLink.start(server.port);
  const { bot, adapter } = await startBot(
    { host: "127.0.0.1", port: link.port, nick: BOT, channels: ["#ops"], identity: "account-tag-only" },
    policy,
  );
  return { server, link, bot, adapter, people: [] };
}

async function login(net: Network, nick: string): Promise<IrcUser> {
  const user = await IrcUser.connect({
    port: net.server.port,
    nick,
    sasl: { account: "ops1", password: "ops-secret" },
  });
  net.people.push(user);
  return user;
}

async function close(net: Network | undefined): Promise<void> {
  if (!net) return;
  await Promise.all(net.people.map((p) => p.quit()));
  await net.bot.stop();
  await net.link.close();
  await net.server.stop();
}

describe("identity: account-tag-only on a server without account-tag", () => {
  let net: Network | undefined;
  afterAll(() => close(net));

  it("treats a user logged in with SASL as a guest, in a channel and in private, and never asks the server", async () => {
    net = await network(false);
    // In the bot's channel, where extended-join and account-notify would tell the bot the account.
    const member = await login(net, "member");
    await member.join("#ops");
    await until(() => net!.adapter.channels.length === 1, "the bot to be in #ops");
    member.say("#ops", "!admin");
    const inChannel = await member.waitFor(BOT, /denied/, "#ops");
    expect(inChannel.text).toMatch(/requires permission admin:run.*you are a guest/);
    // Sharing no channel with the bot, where the lookup mode would ask with WHOX.
    const remote = await login(net, "remote");
    remote.say(BOT, "admin");
    const inPrivate = await remote.waitFor(BOT, /denied/, "remote");
    expect(inPrivate.text).toMatch(/you are a guest/);
    expect(
      member
        .from(BOT)
        .concat(remote.from(BOT))
        .some((r) => /run by/.test(r.text)),
    ).toBe(false);
    // No account lookup went out for either of them.
    expect(net.link.toServer.seen).not.toMatch(/^(WHO|WHOIS) (member|remote)\b/im);
  });
});

describe("identity: account-tag-only on a server with account-tag", () => {
  let net: Network | undefined;
  afterAll(() => close(net));

  it("recognises the same user from the tag on their messages", async () => {
    net = await network(true);
    const member = await login(net, "member");
    await member.join("#ops");
    member.say("#ops", "!admin");
    await member.waitFor(BOT, /admin command run by ops1/, "#ops");
    const remote = await login(net, "remote");
    remote.say(BOT, "admin");
    await remote.waitFor(BOT, /admin command run by ops1/, "remote");
  });
});
