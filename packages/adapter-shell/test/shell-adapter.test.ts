import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { defineCommand, out } from "@switchboard/core";
import { afterEach, describe, expect, it } from "vitest";
import { osLogin, ShellAdapter } from "../src/index.js";
import { renderForTerminal } from "../src/render.js";
import { parseSlash } from "../src/slash.js";
import { runLines, startSession } from "./helpers.js";

// biome-ignore lint/suspicious/noControlCharactersInRegex: looking for ANSI escape sequences
const ansi = /\u001b\[/;

describe("ShellAdapter, piped (not a TTY)", () => {
  it("answers every line as a direct message from the speaker, in input order, without ANSI codes", async () => {
    const session = await startSession();
    const text = await runLines(session, ["whoami", "!ping", "role grant", "nonsense-command", "ping"]);
    const lines = text.trimEnd().split("\n");
    expect(text).toContain("principal alice");
    expect(text).toContain("verified:    yes, by the network");
    expect(lines.filter((l) => l === "pong, alice")).toHaveLength(2);
    expect(text.indexOf("principal alice")).toBeLessThan(text.indexOf("pong, alice"));
    expect(text).toContain('✖ unknown command "nonsense-command"');
    expect(text).not.toMatch(ansi);
    expect(text).not.toContain("Switchboard shell:"); // no banner or prompt when piped
    expect(text).not.toContain("alice> ");
  });

  it("/as NAME changes who speaks, and says so", async () => {
    const session = await startSession();
    const text = await runLines(session, ["/as bob", "whoami", "role grant bob owner", "/as", "/as alice", "ping"]);
    expect(text).toContain("now speaking as bob\n");
    expect(text).toMatch(/you are: +shell:bob \(not linked to a principal\)/);
    expect(text).toContain(
      "✖ denied: command role grant requires permission role:grant, and your roles (guest) do not grant it",
    );
    expect(text).toContain("you are bob\n");
    expect(text).toContain("now speaking as alice\npong, alice");
    expect(session.adapter.speaker).toBe("alice");
  });

  it("sends sender, room and network as documented", async () => {
    const session = await startSession({ network: "term", user: "carol" });
    const seen: unknown[] = [];
    const original = session.bot.handle.bind(session.bot);
    session.bot.handle = (message, respond) => {
      seen.push(message);
      return original(message, respond);
    };
    await runLines(session, ["ping"]);
    expect(seen).toHaveLength(1);
    expect(seen[0]).toMatchObject({
      network: "term",
      room: { id: "terminal", direct: true },
      sender: { id: "carol", name: "carol", verified: true },
      text: "ping",
    });
  });

  it("/help lists the slash commands; /as with two words shows the usage", async () => {
    const session = await startSession();
    const text = await runLines(session, ["/help", "/as bob smith"]);
    expect(text).toContain("/as NAME");
    expect(text).toContain("/quit");
    expect(text).toContain("usage: /as NAME");
    expect(session.adapter.speaker).toBe("alice");
  });

  it("/quit ends the session; later lines are not run", async () => {
    const session = await startSession();
    session.input.write("ping\n/quit\nwhoami\n");
    await session.adapter.ended;
    await session.bot.stop();
    expect(session.output()).toContain("pong, alice");
    expect(session.output()).not.toContain("principal alice");
  });

  it("ended waits for a slow command that is still running when the input ends (concurrent lines)", async () => {
    const slow = defineCommand({
      name: "slow",
      summary: "takes a while",
      guests: true,
      handler: async () => {
        await new Promise((resolve) => setTimeout(resolve, 200));
        return "slow done";
      },
    });
    const session = await startSession({ sequential: false }, [slow]);
    session.input.end("slow\nping\n");
    await session.adapter.ended;
    // Lines ran concurrently: the quick one answered first, and ended waited for the slow one.
    expect(session.output()).toBe("pong, alice\nslow done\n");
    await session.bot.stop();
  });

  it("colours status blocks only when asked (or on a TTY)", async () => {
    const session = await startSession({ color: true });
    const text = await runLines(session, ["role nothing", "ping"]);
    expect(text).toContain('\u001b[31m✖ unknown command "role nothing"');
    expect(text).toContain("\u001b[39m\n");
    expect(text).toContain("pong, alice\n"); // plain text blocks stay plain
  });
});

describe("ShellAdapter, interactive", () => {
  let dir: string;
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it("shows a banner and a prompt, and keeps history in a file", async () => {
    dir = mkdtempSync(join(tmpdir(), "shell-history-"));
    const historyFile = join(dir, "sub", "history");
    const session = await startSession({ interactive: true, historyFile });
    await session.waitFor(/alice> /);
    session.input.write("ping\r");
    await session.waitFor(/pong, alice/);
    session.input.write("/as bob\r");
    await session.waitFor(/bob> /);
    session.input.end();
    await session.adapter.ended;
    await session.bot.stop();
    expect(session.output()).toContain("Switchboard shell: you are alice");
    expect(readFileSync(historyFile, "utf8")).toBe("ping\n/as bob\n");
  });

  it("trims a long history file to its size when it starts", async () => {
    dir = mkdtempSync(join(tmpdir(), "shell-history-"));
    const historyFile = join(dir, "history");
    writeFileSync(historyFile, `${Array.from({ length: 50 }, (_, i) => `line ${i}`).join("\n")}\n`);
    const session = await startSession({ interactive: true, historyFile, historySize: 10 });
    session.input.end();
    await session.adapter.ended;
    await session.bot.stop();
    const kept = readFileSync(historyFile, "utf8").trimEnd().split("\n");
    expect(kept).toEqual(Array.from({ length: 10 }, (_, i) => `line ${40 + i}`));
  });
});

describe("rendering and parsing", () => {
  it("prefixes progress lines with the job id", () => {
    const lines = renderForTerminal(
      { kind: "progress", jobId: "k3j9x", blocks: [out.code("one\ntwo")] },
      { colour: false },
    );
    expect(lines).toEqual(["[k3j9x] one", "[k3j9x] two"]);
  });

  it("renders every block type as plain text", () => {
    const lines = renderForTerminal(
      {
        kind: "reply",
        blocks: [
          out.table(["a", "b"], [["1", "2"]]),
          out.facts({ k: "v" }),
          out.status("ok", "done"),
          out.link("https://x.invalid", "x"),
        ],
      },
      { colour: false },
    );
    expect(lines).toEqual(["a  b", "-  -", "1  2", "k: v", "✔ done", "x: https://x.invalid"]);
  });

  it("knows its slash commands and leaves other lines to the bot", () => {
    expect(parseSlash("/as bob")).toEqual({ kind: "as", name: "bob" });
    expect(parseSlash("/QUIT")).toEqual({ kind: "quit" });
    expect(parseSlash("/deploy x")).toBeUndefined();
    expect(parseSlash("ping")).toBeUndefined();
  });

  it("defaults to the OS login and the network name shell", () => {
    const adapter = new ShellAdapter();
    expect(adapter.speaker).toBe(osLogin());
    expect(adapter.network).toBe("shell");
    expect(adapter.capabilities).toEqual({});
  });
});
