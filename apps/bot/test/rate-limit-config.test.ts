/**
 * `bot.rateLimit` in the configuration file reaches core's limiter: a guest flooding a bot built from the file gets
 * the configured share, and `rateLimit: { enabled: false }` turns the limits off.
 */
import { type Bot, type IncomingMessage, type OutgoingMessage, renderText, silentLogger } from "@switchboard/core";
import { describe, expect, it } from "vitest";
import { buildBot } from "../src/build-bot.js";
import { parseConfig } from "../src/index.js";

const build = (bot: string) => {
  const { config } = parseConfig(`bot:\n${bot}\n`, "test.yaml", { env: {} });
  return buildBot(config, { logger: silentLogger() });
};

let id = 0;
async function flood(bot: Bot, times: number): Promise<string[]> {
  const answers: string[] = [];
  for (let i = 0; i < times; i++) {
    const message: IncomingMessage = {
      id: `m${++id}`,
      network: "irc",
      room: { id: "#ops", direct: false },
      sender: { id: "mallory", name: "mallory", verified: false },
      text: "!ping",
      time: new Date(),
    };
    let text = "";
    await bot.handle(message, {
      respond: (out: OutgoingMessage) => {
        text += renderText(out.blocks);
      },
    });
    answers.push(text);
  }
  return answers;
}

describe("bot.rateLimit", () => {
  it("limits a guest to the configured burst, with one notice", async () => {
    const bot = build("  rateLimit: { guest: { burst: 2, interval: 1m }, maxRunning: 10 }");
    expect(await flood(bot, 5)).toEqual([
      "pong, mallory",
      "pong, mallory",
      "⚠ slow down, mallory: guests send at most 2 commands at once, then one every 1m; what you send until you pause for a moment is ignored",
      "",
      "",
    ]);
  });

  it("uses core's defaults without the key, and no limits when disabled", async () => {
    expect((await flood(build("  name: sb"), 7)).filter((a) => a.startsWith("pong"))).toHaveLength(5);
    expect((await flood(build("  rateLimit: { enabled: false }"), 30)).every((a) => a === "pong, mallory")).toBe(true);
  });

  it("names a mistake with its key", () => {
    expect(() => build("  rateLimit: { guest: { burst: 0, interval: 1m } }")).toThrow(/bot\.rateLimit\.guest\.burst/);
    expect(() => build("  rateLimit: { guests: { burst: 1, interval: soon } }")).toThrow(
      /bot\.rateLimit\.guests\.interval/,
    );
  });
});
