import { renderText } from "@switchboard/core";
import { createHarness, type Harness } from "@switchboard/testing";
import { afterEach, describe, expect, it } from "vitest";
import paging from "../src/index.js";
import { DAY, eventually, HOUR, policy } from "./helpers.js";

/** `2026-11-24T08:00` in UTC for a time `ago` ms before now (whole minutes). */
function localStart(ago: number): string {
  return new Date(Math.floor((Date.now() - ago) / 60_000) * 60_000).toISOString().slice(0, 16);
}

const PEOPLE = {
  alice: { irc: "alice", matrix: "@alice:hs" },
  bob: { irc: "bob", matrix: "@bob:hs" },
  carol: { irc: "carol", matrix: "@carol:hs" },
};

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

/** A daily rotation alice → bob → carol whose second turn (bob's) began an hour ago; web pages it. */
async function start(escalateAfter = "400ms", extra: Record<string, unknown> = {}) {
  h = await createHarness({
    networks: ["irc", "matrix"],
    policy: policy(PEOPLE, ["carol"]),
    plugins: [
      [
        paging,
        {
          rooms: ["irc:#ops", "matrix:!ops:hs"],
          local: {
            schedules: { ops: { rotation: "daily", people: ["alice", "bob", "carol"], start: localStart(DAY + HOUR) } },
            services: { web: { schedule: "ops", escalateAfter } },
          },
          ...extra,
        },
      ],
    ],
  });
  return h;
}

const irc = (name: string) => h!.as(name, { network: "irc" });
const matrix = (name: string) => h!.as(name, { network: "matrix", id: `@${name}:hs` });

/** Everything the bot sent to a room of a network, newest content (after edits), as text. */
const room = (network: string, id: string) =>
  h!
    .adapter(network)
    .sent.filter((s) => s.target.room.id === id)
    .map((s) => renderText(s.message.blocks))
    .join("\n");

describe("the local rota end to end", () => {
  it("rotation, override, trigger, escalation to the next person, ack from the other network", async () => {
    await start();
    // Rotation: bob's day, carol's next.
    expect((await irc("alice").say("!oncall")).text).toMatch(/^ops: bob until .*, then carol$/);

    // Override: alice takes the pager for an hour.
    expect((await irc("alice").say("!pager me 1h")).text).toMatch(/Rejoice, bob! alice has the ops pager until/);
    expect((await matrix("carol").say("!oncall ops")).text).toMatch(/^ops: alice until .*, then bob$/);
    // The phrasing people type, straight apostrophe and all (core's tokenizer keeps it inside the word).
    expect((await irc("carol").say("!who's on call")).text).toMatch(/^ops: alice until .*, then bob$/);
    expect((await matrix("bob").say("!who's on call?")).text).toMatch(/^ops: alice until .*, then bob$/);
    expect((await irc("carol").say("!pager overrides")).text).toMatch(/O1 alice: .* → /);

    // Trigger: alice is paged directly on both networks; the rooms on both networks get the incident.
    const opened = (await irc("carol").say('!pager trigger web "site down"')).text;
    expect(opened).toBe("✔ Opened #1 web: site down; paged alice.");
    await eventually(() => room("irc", "@alice").includes("You are paged: #1 web: site down"), "alice's page on irc");
    await eventually(() => room("matrix", "@@alice:hs").includes("You are paged: #1 web: site down"), "on matrix");
    expect(room("irc", "#ops")).toContain("#1 web: site down — triggered by carol, paged alice");
    expect(room("irc", "#ops")).toContain("[Acknowledge: pager ack 1] [Resolve: pager resolve 1]");
    expect(room("matrix", "!ops:hs")).toContain("#1 web: site down — triggered by carol, paged alice");

    // Nobody acknowledges: after escalateAfter the next person in the rotation (bob) is paged.
    await h!.waitFor(/not acknowledged within 400ms: paged bob \(after alice\)/, 10_000);
    await eventually(() => room("matrix", "@@bob:hs").includes("You are paged: #1 web: site down"), "bob's page");
    expect((await irc("alice").say("!pager incidents")).text).toMatch(/#1 web: site down — triggered, bob/);

    // bob acknowledges from the other network; his plain `pager ack` takes what is assigned to him.
    const ack = (await matrix("bob").say("!pager ack")).text;
    expect(ack).toMatch(/Acknowledged 1 incident\(s\) as bob:\n#1 web: site down — acknowledged, bob/);
    await eventually(() => room("irc", "#ops").includes("#1 web: site down — acknowledged by bob"), "the ack in #ops");

    // Acknowledged incidents do not escalate: three more escalation periods later, still bob's.
    await new Promise((resolve) => setTimeout(resolve, 1200));
    expect((await irc("carol").say("!pager incidents")).text).toMatch(/#1 web: site down — acknowledged, bob/);
    expect(room("irc", "@carol")).toBe("");

    expect((await matrix("bob").say("!pager resolve")).text).toMatch(/Resolved 1 incident\(s\) as bob/);
    expect((await irc("alice").say("!pager incidents")).text).toBe("✔ No open incidents.");
    expect(room("matrix", "!ops:hs")).toContain("#1 web: site down — resolved by bob");

    // The escalation is in the audit log, attributed to the plugin.
    const audit = await h!.audit();
    expect(
      audit.some((e) => e.event === "plugin" && e.detail?.event === "escalated" && e.detail?.assignee === "bob"),
    ).toBe(true);
  });

  it("stops paging after going once through the rotation, and says so", async () => {
    await start("150ms");
    await irc("carol").say("!pager trigger web down");
    await h!.waitFor(/nobody acknowledged: stopped paging \(last paged alice\)/, 10_000);
    const text = room("irc", "#ops");
    expect(text).toMatch(/paged carol \(after bob\)/);
    expect(text).toMatch(/paged alice \(after carol\)/);
  });

  it("ack all touches only the asker's incidents unless --everyone, which needs paging:everyone", async () => {
    await start("1h");
    await irc("carol").say("!pager trigger web one"); // bob's
    await irc("alice").say("!pager me 1h");
    await irc("carol").say("!pager trigger web two"); // alice's
    const mine = (await irc("alice").say("!pager ack all")).text;
    expect(mine).toMatch(/Acknowledged 1 incident\(s\) as alice:\n#2 web: two/);
    expect(mine).not.toContain("one");
    expect((await irc("alice").say("!pager ack all --everyone")).text).toMatch(/denied: .*paging:everyone/);
    expect((await irc("carol").say("!pager ack all --everyone")).text).toMatch(
      /Acknowledged 1 incident\(s\) as carol:\n#1 web: one/,
    );
  });

  it("a button click runs the command as the clicker, with the same permission check", async () => {
    await start("1h");
    await irc("carol").say("!pager trigger web down");
    const click = (name: string, verified = true) =>
      h!.adapter("irc").inject(
        {
          id: `click-${name}`,
          network: "irc",
          room: { id: "#ops", direct: false },
          sender: { id: name, name, verified },
          text: "pager ack 1",
          time: new Date(),
        },
        { addressed: true },
      );
    await click("mallory", false);
    expect(room("irc", "#ops")).toMatch(/denied: .*paging:ack/);
    expect((await irc("bob").say("!pager incidents")).text).toMatch(/triggered/);
    await click("alice"); // staff, but the incident is bob's: that needs paging:everyone
    expect(room("irc", "#ops")).toMatch(/1 is not assigned to you.*paging:everyone/);
    await click("bob");
    expect((await irc("bob").say("!pager incidents")).text).toMatch(/#1 web: down — acknowledged, bob/);
    expect(room("irc", "#ops")).toContain("acknowledged by bob");
  });

  it("a maintenance window keeps the service from paging anyone", async () => {
    await start("1h");
    expect((await irc("bob").say("!pager maintenance web 1h")).text).toMatch(/web is in maintenance until/);
    expect((await irc("bob").say("!pager trigger web down")).text).toMatch(/Nobody was paged: web is in maintenance/);
    expect(room("irc", "@bob")).toBe("");
  });

  it("links nothing: pager me as says the rota knows people by their chat identity", async () => {
    await start();
    expect((await irc("bob").say("!pager me as bob@example.com")).text).toMatch(/nothing to link/);
  });

  it("a dry run opens no incident and pages nobody", async () => {
    await start("1h", { dryRun: true });
    expect((await irc("carol").say("!pager trigger web down")).text).toMatch(/Would page web: down.*dry run/s);
    expect((await irc("carol").say("!pager me 1h")).text).toMatch(/dry run/);
    expect((await irc("carol").say("!pager incidents")).text).toBe("✔ No open incidents.");
    expect((await irc("carol").say("!oncall")).text).toMatch(/^ops: bob/);
    expect(room("irc", "@bob")).toBe("");
  });
});
