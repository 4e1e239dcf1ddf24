/** IRC's rendering shows bidirectional overrides and zero-width characters instead of passing them on. */
import { out } from "@switchboard/core";
import { describe, expect, it } from "vitest";
import { renderIrcLines } from "../src/render.js";

describe("invisible characters in IRC lines", () => {
  it("a bidi override and a zero-width space are shown", () => {
    const lines = renderIrcLines([out.status("ok", "deploy of \u202Egnp.exe by a\u200Bdmin")], { colors: false });
    expect(lines).toEqual(["✔ deploy of <U+202E>gnp.exe by a<U+200B>dmin"]);
  });
});
