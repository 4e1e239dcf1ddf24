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

  it("round-trips words that need no quoting", () => {
    fc.assert(
      fc.property(fc.array(fc.stringMatching(/^[a-z0-9/:._-]+$/), { maxLength: 10 }), (words) => {
        expect(tokenize(words.join("  "))).toEqual(words);
      }),
    );
  });
});
