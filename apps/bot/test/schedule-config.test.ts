/**
 * `bot.timezone`, `bot.schedules` and a principal's `timezone` in the configuration file reach core's scheduler.
 */
import { type Bot, type IncomingMessage, type OutgoingMessage, renderText, silentLogger } from "@switchboard/core";
import { describe, expect, it } from "vitest";
import { buildBot } from "../src/build-bot.js";
import { parseConfig } from "../src/index.js";

const people = `
roles:
  scheduler: { permissions: ["schedule:write"] }
principals:
  ana: { roles: [scheduler], identities: { shell: ana }, timezone: Europe/Berlin }
  ben: { roles: [scheduler], identities: { shell: ben } }
`;

const build = (bot: string) => {
  const { config } = parseConfig(`bot:\n${bot}\n${people}`, "test.yaml", { env: {} });
  return buildBot(config, { logger: silentLogger() });
};

let id = 0;
async function say(bot: Bot, who: string, text: string): Promise<string> {
  const message: IncomingMessage = {
    id: `m${++id}`,
    network: "shell",
    room: { id: "#ops", direct: false },
    sender: { id: who, name: who, verified: true },
    text,
    time: new Date(),
  };
  let answer = "";
  await bot.handle(message, {
    respond: (out: OutgoingMessage) => {
      answer += renderText(out.blocks);
    },
  });
  return answer;
}

describe("bot.schedules and time zones", () => {
  it("uses the person's zone, else bot.timezone, and the configured limits", async () => {
    const bot = build("  timezone: America/New_York\n  schedules: { maxPerPerson: 1, minInterval: 5m, missed: once }");
    expect(await say(bot, "ben", "!schedule add every 2m ping")).toMatch(/more often than once every 300s/);
    expect(await say(bot, "ben", "!schedule add every day at 09:00 ping")).toMatch(/\(America\/New_York\)/);
    expect(await say(bot, "ben", "!schedule add every day at 10:00 ping")).toMatch(/you have 1 schedules/);
    expect(await say(bot, "ana", "!schedule add every day at 09:00 ping")).toMatch(/\(Europe\/Berlin\)/);
    const [record] = (await bot.scheduler.list()).filter((r) => r.owner === "ana");
    expect(record?.missed).toBe("once");
  });

  it("refuses a time zone the runtime does not know, naming the key", () => {
    expect(() => build("  timezone: Mars/Olympus")).toThrow(/bot\.timezone/);
    expect(() =>
      parseConfig("principals:\n  ana: { identities: { shell: ana }, timezone: Europe/Atlantis }\n", "test.yaml", {
        env: {},
      }),
    ).toThrow(/principals\.ana\.timezone/);
  });
});
