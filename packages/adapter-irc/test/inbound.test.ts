import { backoffDelay } from "@switchboard/core";
import { describe, expect, it } from "vitest";
import { AccountTracker } from "../src/account-tracker.js";
import { IgnoreList } from "../src/ignore-list.js";
import { isChannelName } from "../src/inbound.js";

describe("received PRIVMSGs", () => {
  it("knows channels by CHANTYPES", () => {
    expect(isChannelName("#ops", ["#", "&"])).toBe(true);
    expect(isChannelName("+ops", ["#", "&", "+"])).toBe(true);
    expect(isChannelName("alice", undefined)).toBe(false);
  });
});

describe("IgnoreList", () => {
  it("matches nicks and masks case-insensitively, with wildcards", () => {
    const list = new IgnoreList(["*bot", "relay!*@bridge.example"]);
    expect(list.matches("OtherBot")).toBe(true);
    expect(list.matches("relay", "x", "bridge.example")).toBe(true);
    expect(list.matches("relay", "x", "elsewhere")).toBe(false);
    expect(list.matches("alice")).toBe(false);
  });
});

describe("AccountTracker", () => {
  it("follows joins, account changes, nick changes, parts and quits", () => {
    const t = new AccountTracker((s) => s.toLowerCase());
    t.joined("Alice", "#ops", "alice");
    t.joined("bob", "#ops", false);
    t.joined("carol", "#ops", undefined);
    expect([t.get("alice"), t.get("bob"), t.get("carol"), t.get("dave")]).toEqual([
      "alice",
      null,
      undefined,
      undefined,
    ]);
    t.setAccount("alice", null);
    expect(t.get("alice")).toBeNull();
    t.setAccount("dave", "dave"); // not in a shared channel: not tracked
    expect(t.get("dave")).toBeUndefined();
    t.setAccount("alice", "alice");
    t.renamed("alice", "alice_");
    expect([t.get("alice"), t.get("alice_")]).toEqual([undefined, "alice"]);
    t.joined("alice_", "#dev", undefined);
    t.left("alice_", "#ops");
    expect(t.get("alice_")).toBe("alice");
    t.channelGone("#dev");
    expect(t.get("alice_")).toBeUndefined();
    t.quit("bob");
    expect(t.get("bob")).toBeUndefined();
  });
});

describe("backoffDelay", () => {
  it("doubles from the initial delay up to the cap, with jitter between half and all of it", () => {
    const o = { initialDelayMs: 1000, maxDelayMs: 8000 };
    expect([1, 2, 3, 4, 5].map((n) => backoffDelay(n, o, () => 1))).toEqual([1000, 2000, 4000, 8000, 8000]);
    expect([1, 2, 3, 4, 5].map((n) => backoffDelay(n, o, () => 0))).toEqual([500, 1000, 2000, 4000, 4000]);
  });
});
