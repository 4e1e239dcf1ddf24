import type { ChildProcessWithoutNullStreams } from "node:child_process";
import { IrcUser, type ServicesServer, startInspircdWithServices, until } from "@switchboard/test-servers";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { assertBuilt, copyExample, exited, spawnCli, tempDir } from "./cli.js";

/**
 * A new user's path: `switchboard start --config examples/irc.yaml` against a local ircd (inspircd with
 * atheme-services, so there are accounts), then from IRC clients: `!ping`, `!help` (longer than the channel cap),
 * `!whoami` logged in and not, and a clean stop on SIGTERM.
 */
describe("switchboard start with examples/irc.yaml", () => {
  let server: ServicesServer;
  let child: ChildProcessWithoutNullStreams | undefined;
  let alice: IrcUser;
  let bob: IrcUser;
  const temp = tempDir("switchboard-irc-");
  let stderr = "";

  beforeAll(async () => {
    assertBuilt();
    server = await startInspircdWithServices({ relaxedFloodLimits: true });
    const registrar = await IrcUser.connect({ port: server.port, nick: "alice" });
    await registrar.services("REGISTER alice-secret alice@example.org", /registered/i);
    await registrar.quit();
    child = spawnCli(["start", "--config", copyExample("irc.yaml", temp.dir)], temp.dir, {
      IRC_PORT: String(server.port),
    });
    child.stderr.on("data", (chunk: Buffer) => {
      stderr += chunk.toString("utf8");
    });
    [alice, bob] = await Promise.all([
      IrcUser.connect({ port: server.port, nick: "alice", sasl: { account: "alice", password: "alice-secret" } }),
      IrcUser.connect({ port: server.port, nick: "bob" }),
    ]);
    await Promise.all([alice.join("#ops"), bob.join("#ops")]);
    // The bot is in #ops once it answers there.
    await until(
      async () => {
        alice.say("#ops", "!ping");
        await new Promise((resolve) => setTimeout(resolve, 300));
        return alice.from("switchboard", "#ops").some((r) => /pong/.test(r.text));
      },
      `the bot to answer in #ops (stderr: ${stderr})`,
      30_000,
    );
  }, 60_000);

  afterAll(async () => {
    if (child && child.exitCode === null) {
      child.kill("SIGKILL");
      await exited(child);
    }
    await alice?.quit();
    await bob?.quit();
    await server?.stop();
    temp.remove();
  });

  it("answers !help (capped), !whoami for a logged-in owner and a guest, then stops cleanly", async () => {
    expect(stderr).toContain("connecting to irc");
    alice.say("#ops", "!help");
    // The owner's help is longer than 6 lines: 5 in the channel, a note, and the rest in private.
    const note = await alice.waitFor(
      "switchboard",
      /^alice: \(\d+ more lines sent to you in private\)$/,
      "#ops",
      30_000,
    );
    expect(alice.from("switchboard", "#ops").some((r) => /^alice: command +what it does/.test(r.text))).toBe(true);
    await alice.waitFor("switchboard", /^\(the rest of my reply in #ops\)$/, "alice", 30_000);
    expect(note.text).toMatch(/\d+ more lines/);

    alice.say("#ops", "!whoami");
    expect((await alice.waitFor("switchboard", /^alice: you are:/, "#ops")).text).toMatch(/alice \(principal alice\)/);
    bob.say("#ops", "!whoami");
    expect((await bob.waitFor("switchboard", /^bob: you are:/, "#ops")).text).toMatch(/a guest/);
    bob.say("switchboard", "ping");
    await bob.waitFor("switchboard", /pong/, "bob");

    const quit = new Promise<string>((resolve) =>
      alice.client.on("quit", (e: { nick: string; message: string }) => {
        if (e.nick === "switchboard") resolve(e.message);
      }),
    );
    child!.kill("SIGTERM");
    expect(await exited(child!)).toEqual({ code: 0, signal: null });
    expect(await quit).toMatch(/Switchboard stopping/);
  }, 90_000);
});
