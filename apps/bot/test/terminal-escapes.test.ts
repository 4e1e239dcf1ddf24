/**
 * Terminal escape injection through the real CLI: a guest types commands carrying ANSI/OSC sequences (retitle the
 * window, move up a line, erase it, clear the screen). The refusal is audited with the text as typed. Neither the
 * shell's answer nor `./switchboard audit tail` may hand those bytes to the terminal: they are shown escaped.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { assertBuilt, runCli, tempDir } from "./cli.js";

/** Retitles the window, moves up a line and erases it (hiding the entry above), then a second try as an argument. */
const ATTACK = "role grant mallory\u001b]0;owned\u0007\u001b[1A\u001b[2K owner\nwhoami \u001b[2J";
// biome-ignore lint/suspicious/noControlCharactersInRegex: looking for control characters is the point
const CONTROLS = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/;

describe("terminal escapes in what a guest typed", () => {
  const temp = tempDir();
  let shell = "";

  beforeAll(async () => {
    assertBuilt();
    const session = await runCli(["shell"], { cwd: temp.dir, input: `ping\n/as mallory\n${ATTACK}\n` });
    expect(session.code).toBe(0);
    shell = session.stdout;
  });
  afterAll(() => temp.remove());

  it("the shell adapter shows the guest's escapes as text", () => {
    expect(shell).toContain("pong");
    expect(shell).toContain('unexpected argument "\\x1b[2J"');
    expect(shell).not.toMatch(CONTROLS);
  });

  it("audit tail prints the refused command inert, on one line", async () => {
    const result = await runCli(["audit", "tail", "-n", "20"], { cwd: temp.dir });
    expect(result.code).toBe(0);
    expect(result.stdout).not.toMatch(CONTROLS);
    const lines = result.stdout.trimEnd().split("\n");
    const attack = lines.filter((line) => line.includes("owned"));
    expect(attack).toEqual([expect.stringMatching(/^#3 .*denied .*shell:mallory/)]);
    expect(attack[0]).toContain('"role grant mallory\\x1b]0;owned\\x07\\x1b[1A\\x1b[2K owner"');
  });
});
