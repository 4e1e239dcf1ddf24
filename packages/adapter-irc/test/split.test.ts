import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { byteLength, splitToBytes } from "../src/split.js";

describe("splitToBytes", () => {
  it("leaves a line that fits alone", () => {
    expect(splitToBytes("hello world", 20)).toEqual(["hello world"]);
  });

  it("breaks at the last space that fits and drops it", () => {
    expect(splitToBytes("aaaa bbbb cccc", 10)).toEqual(["aaaa bbbb", "cccc"]);
  });

  it("breaks between characters when no space is in the second half", () => {
    expect(splitToBytes("a bbbbbbbbbbbbbbbbbbb", 10)).toEqual(["a bbbbbbbb", "bbbbbbbbbbb".slice(0, 10), "b"]);
  });

  it("never cuts a UTF-8 sequence or a grapheme cluster", () => {
    const text = "😀".repeat(10) + "👩‍🔧".repeat(5); // 4 bytes, and 11 bytes (a ZWJ sequence of three code points)
    const pieces = splitToBytes(text, 12);
    for (const piece of pieces) {
      expect(byteLength(piece)).toBeLessThanOrEqual(12);
      expect(piece).toMatch(/^(😀|👩‍🔧)+$/u);
    }
    expect(pieces.join("")).toBe(text);
  });

  it("keeps an IRC colour code with the character it colours", () => {
    const text = `${"x".repeat(7)}\x0304✖\x0f rest`;
    const pieces = splitToBytes(text, 9);
    expect(pieces.join("")).toBe(text.replace(" rest", "rest"));
    expect(pieces.some((p) => p.endsWith("\x03") || p.endsWith("\x030"))).toBe(false);
  });

  it("holds for any text: pieces fit, nothing is lost but the spaces broken at", () => {
    fc.assert(
      fc.property(fc.string({ unit: "grapheme", maxLength: 300 }), fc.integer({ min: 8, max: 60 }), (text, max) => {
        const pieces = splitToBytes(text, max);
        // No piece ends inside a character (which would show as U+FFFD), unless the text itself has one.
        const replacements = (t: string) => t.split("\uFFFD").length - 1;
        for (const piece of pieces) expect(byteLength(piece)).toBeLessThanOrEqual(max);
        expect(replacements(pieces.join(""))).toBe(replacements(text));
        expect(pieces.join("").replace(/ /g, "")).toBe(text.replace(/ /g, ""));
      }),
      { numRuns: 300 },
    );
  });
});
