import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { tokenize, UserError } from "../src/index.js";

describe("tokenize", () => {
  it("splits on whitespace and keeps quoted words together", () => {
    expect(tokenize(`deploy lock api production "disk is full"  "it's"`)).toEqual([
      "deploy",
      "lock",
      "api",
      "production",
      "disk is full",
      "it's",
    ]);
  });

  it("handles escapes outside and inside double quotes, and empty quoted words", () => {
    expect(tokenize(`say a\\ b "c \\"d\\"" ""`)).toEqual(["say", "a b", 'c "d"', ""]);
  });

  it("refuses an unterminated quote with a hint", () => {
    expect(() => tokenize(`deploy "api`)).toThrow(UserError);
    expect(() => tokenize(`deploy "api`)).toThrow(/unterminated double quote/);
  });

  it("without quotes or backslashes, splits on runs of spaces, tabs and line breaks (and nothing else)", () => {
    const unit = fc.constantFrom(" ", "\t", "\n", "\r", "a", "é", "-", "\u00a0", "\u2003", "\v", "\f", "x");
    fc.assert(
      fc.property(fc.string({ unit, maxLength: 30 }), (line) => {
        expect(tokenize(line)).toEqual(line.split(/[ \t\n\r]+/).filter((word) => word !== ""));
      }),
    );
  });

  it("round-trips words that need no quoting", () => {
    fc.assert(
      fc.property(fc.array(fc.stringMatching(/^[a-z0-9/:._-]+$/), { maxLength: 10 }), (words) => {
        expect(tokenize(words.join("  "))).toEqual(words);
      }),
    );
  });

  it("keeps an apostrophe inside a word, and single quotes around whole arguments still group", () => {
    expect(tokenize("who's on call")).toEqual(["who's", "on", "call"]);
    expect(tokenize("what's deployed")).toEqual(["what's", "deployed"]);
    expect(tokenize(`lock api 'disk full' "can't deploy" don't`)).toEqual([
      "lock",
      "api",
      "disk full",
      "can't deploy",
      "don't",
    ]);
    expect(() => tokenize("say 'a b")).toThrow(/unterminated single quote/);
  });

  it("single-quoted arguments and words with apostrophes, mixed, come back as typed (property)", () => {
    const plain = fc.stringMatching(/^[a-z0-9][a-z0-9 /:._-]{0,12}$/);
    const apostrophed = fc
      .tuple(fc.stringMatching(/^[A-Za-zé0-9]{1,6}$/), fc.stringMatching(/^[A-Za-zé0-9]{1,6}$/))
      .map(([a, b]) => `${a}'${b}`);
    const word = fc.oneof(
      plain.map((text) => ({ typed: `'${text}'`, word: text })),
      apostrophed.map((text) => ({ typed: text, word: text })),
    );
    fc.assert(
      fc.property(fc.array(word, { minLength: 1, maxLength: 8 }), (words) => {
        expect(tokenize(words.map((w) => w.typed).join(" "))).toEqual(words.map((w) => w.word));
      }),
    );
  });
});
