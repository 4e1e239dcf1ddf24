/**
 * The basics against a real ngircd: connecting, joining, commands in a channel and in a query, replies, the
 * channel cap, splitting long multi-byte lines within 512 bytes, and what is ignored.
 */
import type { Bot } from "@switchboard/core";
import { IrcUser, startNgircd, type TestServer, until } from "@switchboard/test-servers";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { IrcAdapter } from "../src/index.js";
import { type LogEntry, longRun, longWords, startBot } from "./bot.js";

const BOT = "switchboard";
const CTCP = String.fromCharCode(1);

describe("IRC adapter on ngircd", () => {
  let server: TestServer;
  let bot: Bot;
  let adapter: IrcAdapter;
  let logs: LogEntry[];
  let alice: IrcUser;

  beforeAll(async () => {
    server = await startNgircd({ penalties: false });
    ({ bot, adapter, logs } = await startBot({
      host: "127.0.0.1",
      port: server.port,
      nick: BOT,
      channels: ["#ops"],
      ignore: ["otherbot"],
      // ngircd's own throttling is off in this file, so a quicker bucket keeps the tests short.
      flood: { burst: 5, interval: 200 },
    }));
    alice = await IrcUser.connect({ port: server.port, nick: "alice" });
    await alice.join("#ops");
  });

  afterAll(async () => {
    await alice?.quit();
    await bot?.stop();
    await server?.stop();
  });

  it("connects, registers with its nick and joins its channels", () => {
    expect(adapter.connected).toBe(true);
    expect(adapter.nick).toBe(BOT);
    expect(adapter.channels).toEqual(["#ops"]);
    expect(logs.some((l) => l.msg === "registered with IRC server")).toBe(true);
  });

  it("answers a prefixed command in the channel, addressed to the asker", async () => {
    alice.say("#ops", "!ping");
    const reply = await alice.waitFor(BOT, /pong/, "#ops");
    expect(reply.text).toMatch(/^alice: /);
  });

  it("answers when addressed by its nick", async () => {
    const before = alice.from(BOT, "#ops").length;
    alice.say("#ops", `${BOT}: status`);
    await until(() => alice.from(BOT, "#ops").length > before, "the status reply");
    const reply = alice.from(BOT, "#ops").at(-1)!;
    // Coloured, bold status mark, then the plain text.
    expect(reply.text).toBe("alice: \x02\x0303✔\x0f all good");
  });

  it("treats every line of a private query as a command and answers in the query", async () => {
    alice.say(BOT, "ping");
    const reply = await alice.waitFor(BOT, /pong/, "alice");
    expect(reply.text).not.toMatch(/^alice:/);
  });

  it("caps long output in the channel and sends the rest to the asker in private", async () => {
    alice.say("#ops", "!lines 20");
    await alice.waitFor(BOT, /line 20 of 20/, "alice");
    const inChannel = alice.from(BOT, "#ops").slice(-6);
    expect(inChannel.map((r) => r.text)).toEqual([
      "alice: line 1 of 20",
      "line 2 of 20",
      "line 3 of 20",
      "line 4 of 20",
      "line 5 of 20",
      "alice: (15 more lines sent to you in private)",
    ]);
    const inQuery = alice.from(BOT, "alice").slice(-16);
    expect(inQuery.map((r) => r.text)).toEqual([
      "(the rest of my reply in #ops)",
      ...Array.from({ length: 15 }, (_, i) => `line ${i + 6} of 20`),
    ]);
  });

  it("splits long multi-byte lines on spaces within 512 bytes, including the prefix the server adds", async () => {
    const before = alice.from(BOT, "alice").length;
    alice.say(BOT, "long words");
    await until(
      () =>
        alice
          .from(BOT, "alice")
          .slice(before)
          .some((r) => r.text.endsWith("wörd159-€-😀")),
      "the end",
    );
    const pieces = alice.from(BOT, "alice").slice(before);
    expect(pieces.length).toBeGreaterThan(6);
    for (const piece of pieces) {
      expect(Buffer.byteLength(`${piece.line}\r\n`)).toBeLessThanOrEqual(512);
      expect(piece.text).not.toContain("\uFFFD");
      expect(piece.text.startsWith(" ") || piece.text.endsWith(" ")).toBe(false);
    }
    expect(pieces.map((p) => p.text).join(" ")).toBe(longWords);
    // Pieces are well filled: only the last may be short.
    for (const piece of pieces.slice(0, -1)) expect(Buffer.byteLength(piece.line)).toBeGreaterThan(400);
  });

  it("splits a line without spaces between characters, never inside one", async () => {
    const before = alice.from(BOT, "alice").length;
    alice.say(BOT, "long run");
    await until(
      () =>
        alice
          .from(BOT, "alice")
          .slice(before)
          .map((r) => r.text)
          .join("") === longRun,
      "the whole run of characters",
    );
    for (const piece of alice.from(BOT, "alice").slice(before)) {
      expect(Buffer.byteLength(`${piece.line}\r\n`)).toBeLessThanOrEqual(512);
      expect(piece.text).not.toContain("\uFFFD");
      // Grapheme clusters stay whole: the ZWJ sequence 👩‍🔧 is never cut.
      expect(piece.text.startsWith("\u200d") || piece.text.endsWith("\u200d")).toBe(false);
    }
  });

  it("ignores NOTICEs, CTCPs other than VERSION and PING, ACTIONs and configured bots; answers VERSION and PING", async () => {
    const otherbot = await IrcUser.connect({ port: server.port, nick: "otherbot" });
    await otherbot.join("#ops");
    const count = () => alice.from(BOT).length;
    const before = count();
    alice.client.notice("#ops", "!ping");
    alice.client.notice(BOT, "ping");
    alice.client.raw("PRIVMSG", BOT, "\x01ACTION ping\x01");
    alice.client.raw("PRIVMSG", "#ops", "\x01ACTION !ping\x01");
    alice.client.raw("PRIVMSG", BOT, "\x01CLIENTINFO\x01");
    otherbot.say("#ops", "!ping");
    otherbot.say(BOT, "ping");
    alice.client.raw("PRIVMSG", BOT, "\x01VERSION\x01");
    const version = await alice.waitFor(BOT, new RegExp(`^${CTCP}VERSION `));
    expect(version.command).toBe("NOTICE");
    alice.say(BOT, "whoami");
    await alice.waitFor(BOT, /guest/, "alice");
    // Only the VERSION answer and the whoami reply arrived; nothing answered the notices, actions or the bot.
    expect(
      alice
        .from(BOT)
        .slice(before)
        .map((r) => r.command),
    ).toEqual(["NOTICE", ...Array(count() - before - 1).fill("PRIVMSG")]);
    expect(
      alice
        .from(BOT)
        .slice(before)
        .some((r) => /pong/.test(r.text)),
    ).toBe(false);
    expect(otherbot.from(BOT)).toEqual([]);
    await new Promise((resolve) => setTimeout(resolve, 2100)); // one CTCP answer per 2 s
    alice.client.raw("PRIVMSG", BOT, "\x01PING 12345\x01");
    const pong = await alice.waitFor(BOT, new RegExp(`^${CTCP}PING 12345${CTCP}$`));
    expect(pong.command).toBe("NOTICE");
    await otherbot.quit();
  });

  it("an unverified nick is a guest (ngircd has no services accounts)", async () => {
    alice.say("#ops", "!admin");
    const reply = await alice.waitFor(BOT, /denied/, "#ops");
    expect(reply.text).toMatch(/admin:run/);
  });

  it("coalesces job progress instead of sending every line", async () => {
    const before = alice.from(BOT, "#ops").length;
    alice.say("#ops", "!stream 60");
    await alice.waitFor(BOT, /streamed 60 steps/, "#ops");
    const texts = alice
      .from(BOT, "#ops")
      .slice(before)
      .map((r) => r.text);
    const progress = texts.filter((t) => /^\[\w+\] /.test(t));
    expect(progress.length).toBeLessThanOrEqual(12);
    expect(progress.some((t) => /earlier lines? skipped/.test(t))).toBe(true);
    expect(progress.at(-1)).toMatch(/step 60 of 60$/);
    expect(texts.at(-1)).toBe("alice: streamed 60 steps");
  });
});
