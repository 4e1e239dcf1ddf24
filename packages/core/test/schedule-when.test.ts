import { describe, expect, it } from "vitest";
import { lastDue, nextDue, parseWhen, shortestGap } from "../src/schedule-when.js";

/** The due times of a spec from `from` (exclusive) up to `until`. */
function dues(spec: Parameters<typeof nextDue>[0], zone: string, from: string, until: string): string[] {
  const out: string[] = [];
  let at = new Date(from);
  for (;;) {
    const next = nextDue(spec, zone, at);
    if (!next || next > new Date(until)) return out;
    out.push(next.toISOString());
    at = next;
  }
}

describe("when a schedule is due", () => {
  const now = new Date("2026-03-27T12:00:00Z");

  it("reads plain words and cron in the person's zone", () => {
    const w = (text: string, zone = "Europe/Berlin") => parseWhen(text.split(" "), zone, now);
    expect(w("every weekday at 09:00 deploy api")).toEqual({ spec: { kind: "cron", expr: "0 9 * * 1-5" }, used: 4 });
    expect(w("every day at 2:30 x").spec).toEqual({ kind: "cron", expr: "30 2 * * *" });
    expect(w("every monday,friday at 08:15 x").spec).toEqual({ kind: "cron", expr: "15 8 * * 1,5" });
    expect(w("every 15m x")).toEqual({ spec: { kind: "every", ms: 900_000, anchor: now.toISOString() }, used: 2 });
    expect(w("every 2 hours x").used).toBe(3);
    expect(w("in 2h x")).toEqual({ spec: { kind: "once", at: "2026-03-27T14:00:00.000Z" }, used: 2 });
    // 08:30 in Berlin on 28 March is CET (UTC+1); in New York it is EDT (UTC-4).
    expect(w("tomorrow 08:30 x").spec).toEqual({ kind: "once", at: "2026-03-28T07:30:00.000Z" });
    expect(w("tomorrow at 08:30 x", "America/New_York").spec).toEqual({
      kind: "once",
      at: "2026-03-28T12:30:00.000Z",
    });
    expect(w("0 9 * * 1-5 x").used).toBe(5);
    expect(parseWhen(["*/5 * * * *", "x"], "UTC", now)).toEqual({
      spec: { kind: "cron", expr: "*/5 * * * *" },
      used: 1,
    });
    expect(() => w("whenever x")).toThrow(/not a time I understand/);
    expect(() => w("today 08:00 x")).toThrow(/already passed/);
    expect(() => parseWhen(["61 * * * *", "x"], "UTC", now)).toThrow(/not a valid time/);
  });

  it("runs a daily 02:30 once on the spring-forward day, in Berlin and New York", () => {
    const daily = { kind: "cron", expr: "30 2 * * *" } as const;
    // Berlin skips 02:00–03:00 on 29 March 2026: that day's run is at 03:00 CEST, the first minute after the gap.
    expect(dues(daily, "Europe/Berlin", "2026-03-27T12:00:00Z", "2026-03-31T12:00:00Z")).toEqual([
      "2026-03-28T01:30:00.000Z",
      "2026-03-29T01:00:00.000Z",
      "2026-03-30T00:30:00.000Z",
      "2026-03-31T00:30:00.000Z",
    ]);
    // New York skips 02:00–03:00 on 8 March 2026.
    expect(dues(daily, "America/New_York", "2026-03-06T12:00:00Z", "2026-03-10T12:00:00Z")).toEqual([
      "2026-03-07T07:30:00.000Z",
      "2026-03-08T07:00:00.000Z",
      "2026-03-09T06:30:00.000Z",
      "2026-03-10T06:30:00.000Z",
    ]);
  });

  it("runs a daily time that happens twice on the fall-back day once, in Berlin and New York", () => {
    // Berlin: 02:30 happens at 00:30Z (CEST) and again at 01:30Z (CET) on 25 October 2026.
    expect(
      dues({ kind: "cron", expr: "30 2 * * *" }, "Europe/Berlin", "2026-10-24T12:00:00Z", "2026-10-26T12:00:00Z"),
    ).toEqual(["2026-10-25T00:30:00.000Z", "2026-10-26T01:30:00.000Z"]);
    // New York: 01:30 happens at 05:30Z (EDT) and again at 06:30Z (EST) on 1 November 2026.
    expect(
      dues({ kind: "cron", expr: "30 1 * * *" }, "America/New_York", "2026-10-31T12:00:00Z", "2026-11-02T12:00:00Z"),
    ).toEqual(["2026-11-01T05:30:00.000Z", "2026-11-02T06:30:00.000Z"]);
  });

  it("finds the latest due time in one step, agreeing with stepping forward across DST", () => {
    const daily = { kind: "cron", expr: "30 2 * * *" } as const;
    expect(lastDue(daily, "Europe/Berlin", new Date("2026-03-29T12:00:00Z"))?.toISOString()).toBe(
      "2026-03-29T01:00:00.000Z",
    );
    expect(lastDue(daily, "Europe/Berlin", new Date("2026-03-29T01:00:00Z"))?.toISOString()).toBe(
      "2026-03-29T01:00:00.000Z",
    );
    expect(lastDue(daily, "Europe/Berlin", new Date("2026-03-29T00:59:59.999Z"))?.toISOString()).toBe(
      "2026-03-28T01:30:00.000Z",
    );
    const every = { kind: "every", ms: 900_000, anchor: "2026-06-01T10:00:00.000Z" } as const;
    expect(lastDue(every, "UTC", new Date("2026-06-01T10:14:59Z"))).toBeUndefined();
    expect(lastDue(every, "UTC", new Date("2026-06-02T10:00:00Z"))?.toISOString()).toBe("2026-06-02T10:00:00.000Z");
  });

  it("keeps an interval in absolute time across a DST change, and measures the shortest gap", () => {
    const every = { kind: "every", ms: 3_600_000, anchor: "2026-10-24T22:00:00.000Z" } as const;
    expect(dues(every, "Europe/Berlin", "2026-10-24T23:30:00Z", "2026-10-25T03:00:00Z")).toEqual([
      "2026-10-25T00:00:00.000Z",
      "2026-10-25T01:00:00.000Z",
      "2026-10-25T02:00:00.000Z",
      "2026-10-25T03:00:00.000Z",
    ]);
    expect(shortestGap({ kind: "cron", expr: "*/30 * * * * *" }, "UTC", now)).toBe(30_000);
    expect(shortestGap({ kind: "cron", expr: "0 9 * * 1-5" }, "UTC", now)).toBe(86_400_000);
  });
});
