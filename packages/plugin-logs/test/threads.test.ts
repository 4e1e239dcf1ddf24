/**
 * Long output on a network with threads: the newest lines in the room, the whole output in the thread of that
 * message (nothing private); on the same bot, a network without threads sends the rest privately instead.
 */
import { join } from "node:path";
import { type Bot, createBot, renderText, silentLogger } from "@switchboard/core";
import { MemoryAdapter } from "@switchboard/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import logs from "../src/index.js";
import { tempDir, writeLog } from "./fixtures.js";

describe("where long output goes", () => {
  const temp = tempDir("logs-threads-");
  const threaded = new MemoryAdapter("threaded", { threads: true });
  const plain = new MemoryAdapter("plain");
  let bot: Bot;
  let counter = 0;

  beforeAll(async () => {
    const iso = (ms: number) => new Date(ms).toISOString();
    writeLog(
      join(temp.dir, "app.log"),
      Array.from(
        { length: 30 },
        (_, i) => `${iso(Date.now() - (30 - i) * 1000)} INFO request ${i + 1} token=t${i}secret`,
      ),
    );
    bot = createBot({
      logger: silentLogger(),
      rateLimit: false,
      policy: {
        roles: { reader: { permissions: ["logs:read:*"] } },
        principals: { alice: { roles: ["reader"], identities: { threaded: "alice", plain: "alice" } } },
      },
    });
    bot.addAdapter(threaded);
    bot.addAdapter(plain);
    bot.use(logs, { services: { app: { sources: [join(temp.dir, "app.log")] } }, output: { roomLines: 5 } });
    await bot.start();
  });
  afterAll(async () => {
    await bot?.stop();
    temp.remove();
  });

  const say = async (adapter: MemoryAdapter, text: string) => {
    const before = adapter.sent.length;
    await adapter.inject({
      id: `m${++counter}`,
      network: adapter.network,
      room: { id: "#ops", direct: false },
      sender: { id: "alice", name: "alice", verified: true },
      text,
      time: new Date(),
    });
    await bot.idle();
    return adapter.sent.slice(before);
  };

  it("puts the whole output in a thread where the network has threads", async () => {
    const sent = await say(threaded, "!logs app --lines 30");
    const [room, inThread] = sent;
    expect(sent).toHaveLength(2);
    expect(room!.target.thread).toBeUndefined();
    const roomText = renderText(room!.message.blocks);
    expect(roomText).toContain("app: 5 of 30 lines from 1 host");
    expect(roomText).toContain("The whole output (30 lines) is in the thread of this message.");
    expect(roomText).toContain("request 30 token=[redacted]");
    expect(roomText).not.toContain("request 25 ");
    expect(inThread!.target.room.id).toBe("#ops");
    expect(inThread!.target.thread).toBe(room!.id);
    const threadText = renderText(inThread!.message.blocks);
    expect(threadText).toContain("request 1 token=[redacted]");
    expect(threadText).toContain("request 30 token=[redacted]");
    expect(threadText).not.toContain("secret");
  });

  it("sends it privately where the network has no threads", async () => {
    const sent = await say(plain, "!logs app --lines 30");
    const direct = sent.filter((s) => s.target.room.direct);
    const room = sent.filter((s) => !s.target.room.direct);
    expect(direct).toHaveLength(1);
    expect(room.map((s) => s.target.thread)).toEqual([undefined]);
    expect(renderText(room[0]!.message.blocks)).toContain("The whole output (30 lines) was sent to you privately");
    expect(renderText(direct[0]!.message.blocks)).toContain("request 1 token=[redacted]");
  });
});
