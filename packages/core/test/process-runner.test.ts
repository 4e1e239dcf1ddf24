/**
 * The process runner: output without newlines (a hostile or broken program) reaches onLine in pieces rather than
 * growing one unbounded line.
 */
import { describe, expect, it } from "vitest";
import { runProcess } from "../src/index.js";

describe("runProcess", () => {
  it("hands on a run without newlines in pieces of about 1 MiB", async () => {
    const pieces: number[] = [];
    const result = await runProcess({
      argv: ["sh", "-c", "head -c 3000000 /dev/zero | tr '\\000' a"],
      timeoutMs: 60_000,
      signal: new AbortController().signal,
      onLine: (line) => pieces.push(line.length),
    });
    expect(result.code).toBe(0);
    expect(pieces.reduce((a, b) => a + b, 0)).toBe(3_000_000);
    expect(pieces.length).toBeGreaterThanOrEqual(3);
    for (const length of pieces) expect(length).toBeLessThanOrEqual(1024 * 1024 + 256 * 1024);
  });
});
