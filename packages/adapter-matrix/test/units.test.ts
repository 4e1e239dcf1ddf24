import { out } from "@switchboard/core";
import { describe, expect, it } from "vitest";
import { editContent, messageText, relationFor, threadOf } from "../src/content.js";
import { matchesAny } from "../src/inbound.js";
import { pngSize } from "../src/media.js";
import { blockHtml } from "../src/render.js";
import { makePng } from "./rig.js";

/** The pure parts: reading message content, relations, HTML escaping, globs, PNG sizes. */
describe("matrix adapter helpers", () => {
  it("drops the quoted reply fallback from a reply's body, but not from a thread message", () => {
    const reply = {
      body: "> <@alice:x> deploy?\n> more\n\n!ping",
      "m.relates_to": { "m.in_reply_to": { event_id: "$a" } },
    };
    expect(messageText(reply)).toBe("!ping");
    const thread = {
      body: "> not a quote",
      "m.relates_to": {
        rel_type: "m.thread",
        event_id: "$root",
        is_falling_back: true,
        "m.in_reply_to": { event_id: "$root" },
      },
    };
    expect(messageText(thread)).toBe("> not a quote");
    expect(threadOf(thread)).toBe("$root");
  });

  it("answers in the thread, or as a reply", () => {
    const room = { id: "!r", direct: false };
    expect(relationFor({ network: "m", room, inReplyTo: "$q" }, { asReply: true })).toEqual({
      "m.relates_to": { "m.in_reply_to": { event_id: "$q" } },
    });
    expect(relationFor({ network: "m", room, inReplyTo: "$q" }, { asReply: false })).toEqual({});
    expect(relationFor({ network: "m", room, thread: "$t", inReplyTo: "$q" }, { asReply: false })).toEqual({
      "m.relates_to": {
        rel_type: "m.thread",
        event_id: "$t",
        is_falling_back: true,
        "m.in_reply_to": { event_id: "$t" },
      },
    });
  });

  it("builds an m.replace edit with the new content", () => {
    const edit = editContent("$orig", {
      msgtype: "m.notice",
      body: "b",
      formatted_body: "<p>b</p>",
      "m.relates_to": { x: 1 },
    });
    expect(edit).toEqual({
      msgtype: "m.notice",
      body: "* b",
      formatted_body: "* <p>b</p>",
      "m.new_content": { msgtype: "m.notice", body: "b", formatted_body: "<p>b</p>" },
      "m.relates_to": { rel_type: "m.replace", event_id: "$orig" },
      "m.mentions": {}, // the edit mentions nobody anew
    });
  });

  it("escapes HTML in every block", () => {
    expect(blockHtml(out.text("<script>&"))).toBe("<p>&lt;script&gt;&amp;</p>");
    expect(blockHtml(out.link('https://x.invalid/?a="b"', "<x>"))).toBe(
      '<p><a href="https://x.invalid/?a=&quot;b&quot;">&lt;x&gt;</a></p>',
    );
  });

  it("matches ids and globs", () => {
    expect(matchesAny("@alice:example.org", ["@*:example.org"])).toBe(true);
    expect(matchesAny("@alice:example.org.evil", ["@*:example.org"])).toBe(false);
    expect(matchesAny("@a.b:x", ["@a.b:x"])).toBe(true);
    expect(matchesAny("@aXb:x", ["@a.b:x"])).toBe(false);
  });

  it("reads a PNG's size, and nothing from other data", () => {
    expect(pngSize(makePng(7, 5))).toEqual({ w: 7, h: 5 });
    expect(pngSize(new Uint8Array([137, 80, 78, 71]))).toBeUndefined();
  });
});

describe("matrix adapter configuration", () => {
  it("refuses an alias in invites.rooms: only room ids are compared, and an alias belongs to whoever controls it", async () => {
    const { matrixAdapterType } = await import("../src/type.js");
    const entry = {
      type: "matrix",
      homeserver: "https://matrix.example.org",
      userId: "@bot:example.org",
      accessToken: "token",
    };
    const alias = matrixAdapterType.schema.safeParse({ ...entry, invites: { rooms: ["#ops:example.org"] } });
    expect(alias.success).toBe(false);
    expect(alias.error?.issues[0]?.path).toEqual(["invites", "rooms", 0]);
    expect(alias.error?.issues[0]?.message).toMatch(/room id like !abc:example.org/);
    const ids = matrixAdapterType.schema.safeParse({
      ...entry,
      invites: { rooms: ["!abc:example.org", "!*:example.org"] },
    });
    expect(ids.success).toBe(true);
  });
});
