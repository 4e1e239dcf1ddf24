/**
 * Output enters core through the process runner, and one line of it must never be huge: a deploy tool that redraws a
 * progress bar with `\r` prints one "line" of a megabyte, which froze the whole bot when it reached a renderer. Real
 * child processes, written as the attack.
 */
import { describe, expect, it } from "vitest";
import { runProcess } from "../src/index.js";
import { MAX_LINE_CHARS } from "../src/jobs/process-runner.js";

/** Runs `node -e script` and collects the lines core hands on. */
async function linesOf(script: string) {
  const lines: string[] = [];
  const result = await runProcess({
    argv: [process.execPath, "-e", script],
    timeoutMs: 60_000,
    signal: new AbortController().signal,
    onLine: (line) => lines.push(line),
  });
  expect(result.code).toBe(0);
  return lines;
}

describe("lines from a child process", () => {
  it("a 1 MB progress bar redrawn with \\r arrives as many short lines, none longer than the cap", async () => {
    // 10,000 redraws of a 100-character bar, about 1 MB without a single \n, then "done".
    const lines = await linesOf(
      `for (let i = 0; i < 10000; i++) process.stdout.write("\\r[" + "#".repeat(i % 98) + "]" + String(i).padStart(5)); process.stdout.write("\\ndone\\n");`,
    );
    expect(lines.length).toBeGreaterThanOrEqual(10_000);
    expect(Math.max(...lines.map((l) => l.length))).toBeLessThanOrEqual(110);
    expect(lines.at(-1)).toBe("done");
    expect(lines).toContain(`[${"#".repeat(9999 % 98)}] 9999`);
  });

  it("a 1 MB line without any break is cut at the cap, says so, and the next line arrives whole", async () => {
    const lines = await linesOf(`process.stdout.write("x".repeat(1_000_000) + "\\nnext line\\n");`);
    expect(lines).toHaveLength(2);
    expect(lines[0]!.startsWith("x".repeat(MAX_LINE_CHARS))).toBe(true);
    expect(lines[0]).toMatch(/… \(line cut: longer than \d+ characters\)$/);
    expect(lines[0]!.length).toBeLessThan(MAX_LINE_CHARS + 60);
    expect(lines[1]).toBe("next line");
  });

  it("\\r\\n split across two writes is one line break, not two", async () => {
    const lines = await linesOf(
      `process.stdout.write("one\\r"); setTimeout(() => process.stdout.write("\\ntwo\\r\\nthree\\n"), 50);`,
    );
    expect(lines).toEqual(["one", "two", "three"]);
  });
});
