import { MemoryStore } from "@switchboard/core";
import { describe, expect, it } from "vitest";
import { pagingConfigSchema } from "../src/config.js";
import { LocalRota } from "../src/rota/provider.js";
import { nextAfter, type Rotation, turnAt, turnsBetween } from "../src/rota/rotation.js";

const berlin: Rotation = {
  rotation: "daily",
  people: ["alice", "bob", "carol"],
  start: "2026-03-27T09:00",
  timeZone: "Europe/Berlin",
};

describe("rotation arithmetic", () => {
  it("hands over at the same wall-clock time across a daylight-saving change", () => {
    // 2026-03-29 is the spring change in Berlin: 09:00 is 08:00Z before it and 07:00Z after it.
    expect(turnAt(berlin, new Date("2026-03-28T12:00:00Z"))).toMatchObject({
      index: 1,
      principal: "bob",
      start: new Date("2026-03-28T08:00:00Z"),
      end: new Date("2026-03-29T07:00:00Z"),
    });
    expect(turnAt(berlin, new Date("2026-03-29T07:00:00Z"))).toMatchObject({ index: 2, principal: "carol" });
    expect(turnAt(berlin, new Date("2026-03-29T06:59:59Z"))).toMatchObject({ index: 1, principal: "bob" });
    expect(turnAt(berlin, new Date("2026-03-30T07:30:00Z"))).toMatchObject({ index: 3, principal: "alice" });
  });

  it("extends backwards before the start, and weekly turns last seven days", () => {
    expect(turnAt(berlin, new Date("2026-03-26T12:00:00Z"))).toMatchObject({ index: -1, principal: "carol" });
    const weekly: Rotation = { ...berlin, rotation: "weekly", timeZone: "UTC", start: "2026-11-02T09:00" };
    const turn = turnAt(weekly, new Date("2026-11-20T00:00:00Z"));
    expect(turn).toMatchObject({ index: 2, principal: "carol", start: new Date("2026-11-16T09:00:00Z") });
    expect(turn.end.getTime() - turn.start.getTime()).toBe(7 * 86_400_000);
    expect(
      turnsBetween(weekly, new Date("2026-11-03T00:00:00Z"), new Date("2026-11-20T00:00:00Z")).map((t) => t.principal),
    ).toEqual(["alice", "bob", "carol"]);
  });

  it("escalates to the next person in order, wrapping around", () => {
    expect(nextAfter(berlin, "alice")).toBe("bob");
    expect(nextAfter(berlin, "carol")).toBe("alice");
  });
});

describe("the local rota's schedule", () => {
  const config = pagingConfigSchema.parse({
    local: {
      schedules: { ops: { rotation: "daily", people: ["alice", "bob"], start: "2026-01-01T00:00", timeZone: "UTC" } },
    },
  });

  it("puts overrides on top of the rotation, the newest winning, and merges a person's adjacent time", async () => {
    const rota = new LocalRota(config.local, new MemoryStore(), undefined, async () => {});
    const ops = await rota.schedule("ops");
    const at = (iso: string) => new Date(`2026-11-10T${iso}:00Z`);
    // 2026-11-10 is day 313 since 2026-01-01: bob's (odd index); alice follows at midnight.
    await rota.createOverride(await rota.acting("carol"), ops, at("10:00"), at("14:00"));
    await rota.createOverride(await rota.acting("dave"), ops, at("12:00"), at("13:00"));
    await rota.createOverride(await rota.acting("bob"), ops, at("14:00"), at("15:00"));
    const shifts = await rota.onCall(ops, at("09:00"), new Date("2026-11-11T01:00:00Z"));
    expect(
      shifts.map((s) => [s.person.name, s.start.toISOString().slice(11, 16), s.end?.toISOString().slice(11, 16)]),
    ).toEqual([
      ["bob", "00:00", "10:00"],
      ["carol", "10:00", "12:00"],
      ["dave", "12:00", "13:00"],
      ["carol", "13:00", "14:00"],
      ["bob", "14:00", "00:00"],
      ["alice", "00:00", "00:00"],
    ]);
  });
});
