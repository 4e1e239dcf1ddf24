/**
 * 200 lines of output through the rate limiter to a real ngircd: all delivered, in order, on one connection.
 * (A file of its own so it runs alongside the other server tests.)
 */
import type { Bot } from "@switchboard/core";
import { IrcUser, startNgircd, type TestServer } from "@switchboard/test-servers";
import { afterAll, beforeAll, expect, it } from "vitest";
import type { IrcAdapter } from "../src/index.js";
import { type LogEntry, startBot } from "./bot.js";

const BOT = "switchboard";
/**
 * ngircd out of the box reads about 3 lines a second from one client (it stops reading it for a second after every
 * few commands; 100 PRIVMSGs sent at once arrive over 36 s) and never disconnects for it. That throttling is off in
 * this test (MaxPenaltyTime = 0) and the bucket sends 10 lines a second after a burst of 5, so the 200 lines take
 * about 20 s. inspircd's flood limits, which do disconnect, are tested in services.test.ts.
 */
const FLOOD = { burst: 5, interval: 100 };

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
    flood: FLOOD,
    accountLookup: false,
  }));
  alice = await IrcUser.connect({ port: server.port, nick: "alice" });
});

afterAll(async () => {
  await alice?.quit();
  await bot?.stop();
  await server?.stop();
});

it("delivers 200 lines in order through the rate limiter without being disconnected", async () => {
  alice.say(BOT, "lines 200");
  await alice.waitFor(BOT, /line 200 of 200/, "alice", 60_000);
  const numbers = alice.from(BOT, "alice").map((r) => Number(/^line (\d+) of 200$/.exec(r.text)?.[1]));
  expect(numbers).toEqual(Array.from({ length: 200 }, (_, i) => i + 1));
  expect(adapter.connected).toBe(true);
  expect(adapter.queuedLines).toBe(0);
  expect(logs.filter((l) => l.msg === "registered with IRC server")).toHaveLength(1);
  expect(logs.some((l) => l.msg.includes("reconnecting") || l.msg.includes("socket error"))).toBe(false);
}, 70_000);
