/**
 * One very long output line must not stop the bot: a real child process redraws a progress bar with `\r` until it has
 * written 1 MB without a line break, on one network (`irc`), while a guest on another network (`irc2`) says `!ping`.
 * Both networks are real connections to inspircd + atheme. Asserted by order, not time: the ping is answered while
 * the long output is still in flight (the child process waits for the test to release it only after the pong), and
 * what the room gets of the long line is bounded.
 */
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type Bot, baseEnvironment, createBot, defineCommand, runProcess, silentLogger } from "@switchboard/core";
import { IrcUser, type ServicesServer, startInspircdWithServices, until } from "@switchboard/test-servers";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { IrcAdapter } from "../src/index.js";

const BOT = "sbot";
const MEGABYTE = 1024 * 1024;

/** Redraws `[#####     ] 42%` with `\r` until 1 MB is written, then one line break, then waits for `release`. */
const CHILD = `
const fs = require("node:fs");
const [written, release] = process.argv.slice(1);
let out = 0;
let chunk = "";
for (let i = 0; out + chunk.length < ${MEGABYTE}; i++) {
  const pct = Math.floor((i / 10000) * 100) % 101;
  const bar = "#".repeat(Math.floor(pct / 2)).padEnd(50, " ");
  chunk += "\\r[" + bar + "] " + String(pct).padStart(3) + "% copying files";
  if (chunk.length > 65536) { process.stdout.write(chunk); out += chunk.length; chunk = ""; }
}
process.stdout.write(chunk + "\\n", () => {
  fs.writeFileSync(written, "yes");
  const start = Date.now();
  const wait = () => {
    if (fs.existsSync(release)) { process.stdout.write("released\\n"); process.exit(0); }
    if (Date.now() - start > 300000) { process.stdout.write("never released\\n"); process.exit(1); }
    setTimeout(wait, 20);
  };
  wait();
});
`;

async function registerAccount(port: number, account: string, password: string): Promise<void> {
  const user = await IrcUser.connect({ port, nick: account });
  await user.services(`REGISTER ${password} ${account}@example.org`, /registered/i);
  await user.quit();
}

describe("a 1 MB progress line on one network while another network asks !ping (inspircd + atheme)", () => {
  let server: ServicesServer;
  let bot: Bot;
  let first: IrcAdapter;
  let second: IrcAdapter;
  let owner: IrcUser;
  let guest: IrcUser;
  const temp = mkdtempSync(join(tmpdir(), "sb-long-line-"));
  const written = join(temp, "written");
  const release = join(temp, "release");

  beforeAll(async () => {
    server = await startInspircdWithServices();
    await Promise.all([
      registerAccount(server.port, BOT, "bot-secret"),
      registerAccount(server.port, "owner", "owner-secret"),
    ]);
    const sasl = { mechanism: "PLAIN" as const, account: BOT, password: "bot-secret" };
    first = new IrcAdapter({ host: "127.0.0.1", port: server.port, nick: BOT, channels: ["#build"], sasl });
    second = new IrcAdapter({
      name: "irc2",
      host: "127.0.0.1",
      port: server.port,
      nick: "sbot2",
      channels: ["#chat"],
    });
    const spew = defineCommand({
      name: "spew",
      summary: "runs a child process that writes a 1 MB progress line",
      permission: "build:run",
      handler: async ({ signal, progress }) => {
        const result = await runProcess({
          argv: [process.execPath, "-e", CHILD, written, release],
          env: baseEnvironment(),
          timeoutMs: 600_000,
          signal,
          onLine: (line) => progress(line),
        });
        return `spew finished (exit ${result.code})`;
      },
    });
    bot = createBot({
      logger: silentLogger(),
      adapters: [first, second],
      commands: [spew],
      policy: {
        roles: { owner: { permissions: ["*"] }, guest: { permissions: [] } },
        principals: { owner: { roles: ["owner"], identities: { irc: "owner" } } },
      },
    });
    await bot.start();
    await until(() => first.channels.length === 1 && second.channels.length === 1, "the bot to join both channels");
    [owner, guest] = await Promise.all([
      IrcUser.connect({ port: server.port, nick: "owner", sasl: { account: "owner", password: "owner-secret" } }),
      IrcUser.connect({ port: server.port, nick: "bob" }),
    ]);
    await Promise.all([owner.join("#build"), guest.join("#chat")]);
  });

  afterAll(async () => {
    writeFileSync(release, "yes");
    for (const user of [owner, guest]) await user?.quit();
    await bot?.stop(1000);
    await server?.stop();
    rmSync(temp, { recursive: true, force: true });
  });

  it("answers the other network's !ping before the long output finishes, and posts a bounded part of it", async () => {
    owner.say("#build", "!spew");
    await until(() => existsSync(written), "the child process to write its 1 MB line", 120_000);
    // The bot now holds the 1 MB line: the guest on the other network asks while it is being handled.
    guest.say("#chat", "!ping");
    const pong = await guest.waitFor("sbot2", /pong/, "#chat", 120_000);
    expect(pong.text).toMatch(/^bob: pong/);
    // The child is still running (it waits for this release), so the long output has not finished.
    expect(owner.from(BOT, "#build").some((r) => /spew finished/.test(r.text))).toBe(false);
    writeFileSync(release, "yes");
    const done = await owner.waitFor(BOT, /spew finished \(exit 0\)/, "#build", 120_000);
    const build = owner.from(BOT, "#build");
    // Bounded: what the room got of 1 MB is a few dozen lines at most (core splits the `\r` redraws into short lines
    // and the progress stream is rate-limited, so it depends on how long the child ran), not 2,600 lines of 400 bytes.
    expect(build.length).toBeLessThanOrEqual(40);
    expect(build.some((r) => r.text.includes("released"))).toBe(true);
    expect(build.indexOf(done)).toBe(build.length - 1);
  }, 400_000);
});
