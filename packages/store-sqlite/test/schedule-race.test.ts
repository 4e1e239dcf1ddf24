import { arg, defineCommand } from "@switchboard/core";
import { createHarness, ManualClock } from "@switchboard/testing";
import { describe, expect, it } from "vitest";
import { openSqlite } from "../src/index.js";
import { onCleanup, tempDbPath } from "./helpers.js";

const policy = {
  roles: { scheduler: { permissions: ["schedule:write", "note:write"] } },
  principals: { bob: { roles: ["scheduler"], identities: { test: "bob" } } },
};

describe("schedules on two instances sharing one SQLite file", () => {
  it("run each due time exactly once, whichever instance claims it", async () => {
    const path = tempDbPath();
    const clock = new ManualClock("2026-06-01T10:00:00Z");
    const runs: Array<{ instance: string; at: string }> = [];
    const instance = async (name: string) => {
      const storage = openSqlite(path);
      onCleanup(storage.close);
      const note = defineCommand({
        name: "note",
        summary: "Write a note",
        permission: "note:write",
        args: { what: arg.string({ positional: true, rest: true }) },
        handler: () => {
          runs.push({ instance: name, at: new Date(clock.now()).toISOString() });
          return "noted";
        },
      });
      return createHarness({
        policy,
        commands: [note],
        clock,
        store: storage.store,
        auditLog: storage.auditLog,
        schedules: { pollMs: 3_600_000 },
      });
    };
    const a = await instance("a");
    const b = await instance("b");
    const id = /schedule (s\w+):/.exec((await a.as("bob").say("!schedule add every 1m note race")).text)![1]!;

    for (let minute = 1; minute <= 30; minute++) {
      clock.set(new Date(Date.parse("2026-06-01T10:00:00Z") + minute * 60_000));
      // Both instances check at once, in alternating order (their own timers may fire as well).
      const [first, second] = minute % 2 ? [a, b] : [b, a];
      await Promise.all([first.bot.scheduler.tick(), second.bot.scheduler.tick()]);
      await Promise.all([a.bot.scheduler.settled(), b.bot.scheduler.settled()]);
    }
    expect(runs).toHaveLength(30);
    expect(new Set(runs.map((r) => r.at)).size).toBe(30);
    expect(runs.some((r) => r.instance === "a")).toBe(true);
    expect(runs.some((r) => r.instance === "b")).toBe(true);
    // One audit chain in the file: one admitted entry per due time, each naming the schedule and its due time.
    const admitted = (await a.audit()).filter((e) => e.event === "admitted" && e.command === "note");
    expect(admitted).toHaveLength(30);
    const schedules = admitted.map((e) => e.detail?.schedule as { id: string; due: string } | undefined);
    expect(new Set(schedules.map((s) => s?.due)).size).toBe(30);
    expect(schedules.every((s) => s?.id === id)).toBe(true);
    await a.close();
    await b.close();
  });
});
