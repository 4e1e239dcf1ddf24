/** Slack's rendering shows bidirectional overrides and zero-width characters instead of passing them on. */
import { out } from "@switchboard/core";
import { describe, expect, it } from "vitest";
import { renderParts } from "../src/render.js";

const INVISIBLE = /[\u202A-\u202E\u2066-\u2069\u200B-\u200F\uFEFF]/;

describe("invisible characters in Slack messages", () => {
  it("a bidi override in a status line, a table and a link text is shown as <U+202E> in blocks and fallback text", () => {
    const parts = renderParts({
      kind: "announcement",
      blocks: [
        out.status("ok", "deploy of \u202Egnp.exe"),
        out.table(["file"], [["a\u200Bdmin"]]),
        out.link("https://example.com/x", "see \u2066this"),
      ],
    });
    const text = JSON.stringify(parts);
    expect(text).not.toMatch(INVISIBLE);
    expect(text).toContain("&lt;U+202E&gt;gnp.exe"); // mrkdwn escapes the angle brackets: Slack shows <U+202E>
  });
});
