/**
 * The local rota's escalation under the conditions a review found fragile: override holders outside the rotation,
 * a schedule removed from the configuration while its incident is open, a page whose audit write fails, maintenance
 * windows opened at once, and people no principal links taking the pager. Driven through the rota's own calls
 * (trigger, override, escalate) and, for `pager me`, through core.
 */
import { MemoryStore } from "@switchboard/core";
import { createHarness, type Harness } from "@switchboard/testing";
import { afterEach, describe, expect, it } from "vitest";
import { pagingConfigSchema } from "../src/config.js";
import paging from "../src/index.js";
import { LocalRota, type RotaEvent } from "../src/rota/provider.js";
import type { IncidentRecord } from "../src/rota/records.js";
import { DAY, HOUR, policy } from "./helpers.js";

const MIN = 60_000;
const start = new Date(Math.floor((Date.now() - DAY - HOUR) / MIN) * MIN).toISOString().slice(0, 16);

function rotaWith(people: string[], extraSchedules: Record<string, unknown> = {}) {
  const config = pagingConfigSchema.parse({
    local: {
      schedules: { ops: { rotation: "daily", people, start, timeZone: "UTC" }, ...extraSchedules },
      services: {
        web: { schedule: "ops", escalateAfter: "5m" },
        ...(Object.keys(extraSchedules).length ? { legacy: { schedule: "old", escalateAfter: "5m" } } : {}),
      },
    },
  });
  return config.local;
}

/** A rota that records who was paged (triggered or escalated) and what happened. */
function recordingRota(local: ReturnType<typeof rotaWith>, store = new MemoryStore(), fail?: (n: number) => boolean) {
  const events: Array<{ incident: string; kind: RotaEvent["kind"]; assignee: string }> = [];
  let calls = 0;
  const rota = new LocalRota(local, store, undefined, async (record: IncidentRecord, event: RotaEvent) => {
    calls++;
    events.push({ incident: record.id, kind: event.kind, assignee: record.assignee });
    if (fail?.(calls)) throw new Error("audit log is not writable");
  });
  return { rota, events, store };
}

const paged = (events: Array<{ kind: string; assignee: string }>) =>
  events.filter((e) => e.kind === "triggered" || e.kind === "escalated").map((e) => e.assignee);

async function takePager(rota: LocalRota, who: string) {
  const ops = await rota.schedule("ops");
  const now = Date.now();
  await rota.createOverride(await rota.acting(who), ops, new Date(now - MIN), new Date(now + DAY));
}

describe("escalation after an override holder", () => {
  it("a one-person rotation still pages its on-call after dave's override goes unanswered", async () => {
    const { rota, events } = recordingRota(rotaWith(["alice"]));
    await takePager(rota, "dave");
    await rota.trigger({ principal: "ops-bot" }, "web", "down");
    const t = Date.now();
    for (let i = 1; i <= 3; i++) await rota.escalate(t + i * 6 * MIN);
    expect(paged(events)).toEqual(["dave", "alice"]);
    expect(events.at(-1)?.kind).toBe("exhausted");
  });

  it("a two-person rotation pages both of its people after the override holder", async () => {
    const { rota, events } = recordingRota(rotaWith(["alice", "bob"]));
    await takePager(rota, "carol");
    await rota.trigger({ principal: "ops-bot" }, "web", "down");
    const t = Date.now();
    for (let i = 1; i <= 4; i++) await rota.escalate(t + i * 6 * MIN);
    // day index 1 since start: bob's turn now, then alice
    expect(paged(events)).toEqual(["carol", "bob", "alice"]);
    expect(events.at(-1)?.kind).toBe("exhausted");
  });
});

describe("one broken incident or page does not stop the others", () => {
  it("an incident whose schedule was removed from the configuration does not stop escalation of the rest", async () => {
    const old = { rotation: "daily", people: ["zoe"], start, timeZone: "UTC" };
    const before = recordingRota(rotaWith(["alice", "bob"], { old }));
    await before.rota.trigger({ principal: "ops-bot" }, "legacy", "old thing");
    await before.rota.trigger({ principal: "ops-bot" }, "web", "down");
    // restarted with a configuration without the old schedule and its service, on the same store
    const after = recordingRota(rotaWith(["alice", "bob"]), before.store);
    await after.rota.escalate(Date.now() + 2 * HOUR); // past every escalation time, the default one too
    expect(after.events).toEqual([{ incident: "2", kind: "escalated", assignee: "alice" }]);
  });

  it("a page whose audit write fails does not drop the other pages of that tick", async () => {
    const { rota, events } = recordingRota(rotaWith(["alice", "bob"]), new MemoryStore(), (n) => n === 4);
    for (const title of ["one", "two", "three"]) await rota.trigger({ principal: "ops-bot" }, "web", title);
    await rota.escalate(Date.now() + 6 * MIN);
    expect(events.filter((e) => e.kind === "escalated").map((e) => e.incident)).toEqual(["1", "2", "3"]);
  });

  it("maintenance windows opened at once get distinct ids", async () => {
    const { rota } = recordingRota(rotaWith(["alice"]));
    const acting = await rota.acting("alice");
    const now = Date.now();
    const windows = await Promise.all(
      [1, 2, 3, 4, 5].map(() => rota.maintenance(acting, "web", new Date(now), new Date(now + HOUR))),
    );
    expect(new Set(windows.map((w) => w.id)).size).toBe(5);
  });
});

describe("only linked people take the pager", () => {
  let h: Harness | undefined;
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  it("an identity no principal links cannot take the pager, even with a granted role", async () => {
    const base = policy({ alice: { test: "alice" }, bob: { test: "bob" } });
    h = await createHarness({
      policy: {
        ...base,
        roles: { ...base.roles, admin: { permissions: ["*"] } },
        principals: { ...base.principals, root: { roles: ["admin"], identities: { test: "root" } } },
      },
      plugins: [
        [
          paging,
          {
            rooms: ["test:#ops"],
            local: { schedules: { ops: { rotation: "daily", people: ["alice", "bob"], start } } },
          },
        ],
      ],
    });
    expect((await h.as("root").say("!role grant test:zed staff")).text).toMatch(/granted|now has/i);
    const answer = (await h.as("zed").say("!pager me 1h")).text;
    expect(answer).toMatch(/only people configured under principals/);
    expect((await h.as("alice").say("!oncall")).text).not.toContain("zed");
  });
});

describe("free text is bounded", () => {
  let h: Harness | undefined;
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  it("pager note refuses a 60 KB note and keeps nothing of it", async () => {
    const base = policy({ alice: { test: "alice" }, bob: { test: "bob" } });
    const schedules = { ops: { rotation: "daily", people: ["alice", "bob"], start } };
    h = await createHarness({
      policy: base,
      plugins: [[paging, { rooms: ["test:#ops"], local: { schedules, services: { web: { schedule: "ops" } } } }]],
    });
    await h.as("alice").say("!pager trigger web down");
    const answer = (await h.as("alice").say(`!pager note 1 ${"x".repeat(60_000)}`)).text;
    // Core refuses any text argument over 2,000 characters before the plugin sees it; either answer keeps nothing.
    expect(answer).toMatch(
      /text is 60000 characters long; at most 2000|a note is at most 2000 characters \(this one has 60000\)/,
    );
    expect((await h.as("alice").say("!pager note 1 restarting")).text).toMatch(/note/i);
    expect(h.transcript()).not.toContain("x".repeat(2001));
  });
});
