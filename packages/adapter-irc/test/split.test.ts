import fc from "fast-check";
import { describe, expect, it, vi } from "vitest";
import { byteLength, graphemes, splitToBytes } from "../src/split.js";

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

describe("splitting a very long line is linear", () => {
  it("never hands the grapheme segmenter more than a window of a 1 MB progress line", () => {
    // Intl.Segmenter is quadratic in the length of what it is given on Node 20 (160,000 characters: over a minute),
    // so what it is given must stay small however long the line is: counted, not timed.
    const sizes: number[] = [];
    const segment = Intl.Segmenter.prototype.segment;
    const spy = vi.spyOn(Intl.Segmenter.prototype, "segment").mockImplementation(function (this: Intl.Segmenter, s) {
      sizes.push(s.length);
      // fail at once rather than wait the minutes a whole-line segmentation would take
      if (s.length > 100_000) throw new Error(`the segmenter was given ${s.length} code units at once`);
      return segment.call(this, s);
    });
    try {
      // block elements, a combining mark and an emoji now and then: the segmenter is needed for those windows
      const bar = (i: number) =>
        `\r[${"█".repeat(i % 50).padEnd(50, "░")}] ${String(i % 101).padStart(3)}%${i % 97 === 0 ? " e\u0301 👩‍🔧" : ""}`;
      let line = "";
      for (let i = 0; line.length < 1024 * 1024; i++) line += bar(i);
      const pieces = splitToBytes(line, 400);
      expect(pieces.join("").replace(/ /g, "")).toBe(line.replace(/ /g, ""));
      expect(Math.max(...sizes)).toBeLessThanOrEqual(2 * 2048);
      expect(sizes.length).toBeGreaterThan(0);
      expect(sizes.reduce((a, b) => a + b, 0)).toBeLessThan(line.length * 1.1);
    } finally {
      spy.mockRestore();
    }
  });

  it("gives the same clusters as segmenting the whole text, across window edges", () => {
    const whole = new Intl.Segmenter(undefined, { granularity: "grapheme" });
    fc.assert(
      fc.property(fc.array(fc.string({ unit: "grapheme", maxLength: 40 }), { maxLength: 400 }), (parts) => {
        const text = parts.join(parts.length % 2 ? "👩‍🔧e\u0301" : "█\r\n░");
        expect([...graphemes(text)]).toEqual([...whole.segment(text)].map((s) => s.segment));
      }),
      { numRuns: 60 },
    );
  });
});
