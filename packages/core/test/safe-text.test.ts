import { describe, expect, it } from "vitest";
import { escapeTerminal, out, renderText, revealInvisible, revealInvisibleBlocks } from "../src/index.js";

describe("revealInvisible: bidirectional and zero-width characters are shown", () => {
  it("shows every listed character as <U+XXXX>", () => {
    const listed = [
      ...Array.from({ length: 5 }, (_, i) => 0x202a + i),
      ...Array.from({ length: 4 }, (_, i) => 0x2066 + i),
      ...Array.from({ length: 5 }, (_, i) => 0x200b + i),
      0xfeff,
    ];
    for (const code of listed) {
      const char = String.fromCharCode(code);
      expect(revealInvisible(`a${char}b`)).toBe(`a<U+${code.toString(16).toUpperCase()}>b`);
    }
    expect(revealInvisible("invoice\u202Egnp.exe")).toBe("invoice<U+202E>gnp.exe");
  });

  it("keeps a zero-width joiner inside an emoji sequence, and text without any unchanged", () => {
    expect(revealInvisible("👩‍🔧 ok")).toBe("👩‍🔧 ok");
    expect(revealInvisible("👍🏽‍a")).toBe("👍🏽<U+200D>a");
    const plain = "nothing to see";
    expect(revealInvisible(plain)).toBe(plain);
  });

  it("applies to every text a block shows, and to core's text rendering", () => {
    const blocks = [
      out.text("t\u200B"),
      out.table(["c\u2066"], [["r\u202E"]]),
      out.facts({ "k\uFEFF": "v\u200F" }),
      out.link("https://example.com/\u202E", "l\u202D"),
      out.actions({ label: "Ack\u200E", command: "pager ack 1" }),
    ];
    const shown = JSON.stringify(revealInvisibleBlocks(blocks));
    expect(shown).not.toMatch(/[\u202A-\u202E\u2066-\u2069\u200B-\u200F\uFEFF]/);
    expect(renderText([out.status("ok", "deploy of \u202Egnp.exe")])).toBe("✔ deploy of <U+202E>gnp.exe");
  });
});

describe("escapeTerminal: nothing in the text acts on the terminal", () => {
  it("shows ANSI/OSC escapes, carriage returns, bells and C1 controls as \\x escapes; keeps lines and tabs", () => {
    const attack = "\u001b]0;owned\u0007\u001b[1A\u001b[2K\r#3 forged\u009b2J\ttab\nnext\u202E";
    expect(escapeTerminal(attack)).toBe("\\x1b]0;owned\\x07\\x1b[1A\\x1b[2K\\x0d#3 forged\\x9b2J\ttab\nnext<U+202E>");
  });
});
