import { describe, expect, it } from "vitest";
import { roomRefSchema } from "../src/index.js";

describe("room references in configuration", () => {
  it("parse network:room strings and objects, and say what is wrong with a bad one", () => {
    expect(roomRefSchema.parse("irc:#ops")).toEqual({ network: "irc", room: "#ops" });
    expect(roomRefSchema.parse("matrix:!abc:example.org")).toEqual({ network: "matrix", room: "!abc:example.org" });
    expect(roomRefSchema.parse({ network: "slack", room: "C01" })).toEqual({ network: "slack", room: "C01" });
    const bad = roomRefSchema.safeParse("#ops");
    expect(bad.success).toBe(false);
    expect(bad.error?.issues[0]?.message).toBe('"#ops" is not a room: use network:room, e.g. irc:#ops');
  });
});
