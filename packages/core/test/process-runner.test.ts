/**
 * The process runner: output without newlines (a hostile or broken program) never grows one unbounded line — it is
 * cut at MAX_LINE_CHARS with a note, and the rest of that run is dropped (see process-lines.test.ts for `\r`).
 */
import { describe, expect, it } from "vitest";
import { runProcess } from "../src/index.js";
import { MAX_LINE_CHARS } from "../src/jobs/process-runner.js";

describe("runProcess", () => {
  it("hands on 3 MB without newlines as one cut line, saying so, and keeps nothing more of it", async () => {
    const lines: string[] = [];
    const result = await runProcess({
      argv: ["sh", "-c", "head -c 3000000 /dev/zero | tr '\\000' a; echo; echo after"],
      timeoutMs: 60_000,
      signal: new AbortController().signal,
      onLine: (line) => lines.push(line),
    });
    expect(result.code).toBe(0);
    expect(lines).toHaveLength(2);
    expect(lines[0]!.length).toBeLessThanOrEqual(MAX_LINE_CHARS + 80);
    expect(lines[0]).toMatch(/line cut: longer than 4096 characters/);
    expect(lines[1]).toBe("after");
  });
});
