import { type AuditEntry, arg, type Bot, defineCommand, MemoryStore } from "@switchboard/core";
import { describe, expect, it } from "vitest";
import { createHarness, ManualClock } from "../src/index.js";
import { deploy } from "./fixtures.js";

/** A command that remembers when (by the manual clock) and for whom it ran. */
function recorder(clock: ManualClock) {
  const runs: Array<{ at: string; actor: string; what: string }> = [];
  const command = defineCommand({
    name: "note",
    summary: "Write a note",
    permission: "note:write",
    args: { what: arg.string({ positional: true, rest: true, default: "-" }) },
    handler: ({ args, actor }) => {
      runs.push({ at: new Date(clock.now()).toISOString(), actor: actor.id, what: args.what });
      return `noted ${args.what}`;
    },
  });
  return { runs, command };
}

const policy = {
  roles: {
    owner: { permissions: ["*"] },
    scheduler: { permissions: ["schedule:write", "note:write", "deploy:run"] },
    noter: { permissions: ["note:write"] },
    writer: { permissions: ["schedule:write"] },
    approver: { permissions: ["deploy:approve"] },
    guest: { permissions: [] },
  },
  principals: {
    alice: { roles: ["owner"], identities: { test: "alice" } },
    bob: { roles: ["scheduler"], identities: { test: "bob" }, timezone: "Europe/Berlin" },
    nina: { roles: ["scheduler"], identities: { test: "nina" }, timezone: "America/New_York" },
    walt: { roles: ["writer"], identities: { test: "walt" } },
    carol: { roles: ["approver"], identities: { test: "carol" } },
  },
  rules: [
    {
      name: "production-needs-approval",
      command: "deploy",
      when: { args: { env: "production" } },
      approval: { permission: "deploy:approve", count: 1 },
    },
  ],
};

/** Moves the clock to `until`, stopping at every timer the scheduler armed and letting its check finish. */
async function runUntil(clock: ManualClock, bot: Bot, until: string): Promise<void> {
  const end = new Date(until).getTime();
  for (;;) {
    await bot.scheduler.settled();
    const next = clock.nextTimer();
    if (next === undefined || next > end) break;
    clock.set(new Date(next));
  }
  clock.set(new Date(end));
  await bot.scheduler.settled();
}

const scheduleEntries = (audit: AuditEntry[], change: string) =>
  audit.filter((e) => e.event === "schedule" && e.detail?.change === change);

describe("schedules", () => {
  it("runs a daily 02:30 once on the spring-forward day (Berlin) and once on the fall-back day (New York)", async () => {
    const clock = new ManualClock("2026-03-27T12:00:00Z");
    const { runs, command } = recorder(clock);
    const h = await createHarness({ policy, commands: [command], clock, schedules: { pollMs: 86_400_000 } });
    const added = await h.as("bob").say("!schedule add every day at 02:30 note berlin");
    expect(added.text).toMatch(
      /schedule s\w+: "note berlin", cron 30 2 \* \* \* \(Europe\/Berlin\); next run 2026-03-28 02:30 Europe\/Berlin/,
    );
    await runUntil(clock, h.bot, "2026-03-31T12:00:00Z");
    expect(runs.map((r) => r.at)).toEqual([
      "2026-03-28T01:30:00.000Z",
      "2026-03-29T01:00:00.000Z", // 03:00 CEST: 02:30 does not exist that day; it runs once, right after the gap
      "2026-03-30T00:30:00.000Z",
      "2026-03-31T00:30:00.000Z",
    ]);
    expect(new Set(runs.map((r) => r.actor))).toEqual(new Set(["bob"]));

    clock.set("2026-10-30T12:00:00Z");
    expect((await h.as("nina").say("!schedule add every day at 01:30 note new-york")).text).toMatch(
      /\(America\/New_York\); next run 2026-10-31 01:30 America\/New_York/,
    );
    await runUntil(clock, h.bot, "2026-11-02T12:00:00Z");
    const newYork = runs.filter((r) => r.what === "new-york").map((r) => r.at);
    // 1 November 01:30 happens twice (EDT, then EST): one run, at the first.
    expect(newYork).toEqual(["2026-10-31T05:30:00.000Z", "2026-11-01T05:30:00.000Z", "2026-11-02T06:30:00.000Z"]);
    await h.close();
  });

  it("writes the same audit entries as a typed command, plus the schedule id, and answers in the room it was made in", async () => {
    const clock = new ManualClock("2026-06-01T10:00:00Z");
    const { runs, command } = recorder(clock);
    const h = await createHarness({ policy, commands: [command], clock });
    const added = await h.as("bob", { room: "#team" }).say("!schedule add every 15m note standup");
    expect(added.text).toMatch(/"note standup", every 15m; next run 2026-06-01 12:15 Europe\/Berlin/);
    const id = /schedule (s\w+):/.exec(added.text)![1]!;
    await runUntil(clock, h.bot, "2026-06-01T10:31:00Z");
    expect(runs.map((r) => r.at)).toEqual(["2026-06-01T10:15:00.000Z", "2026-06-01T10:30:00.000Z"]);
    expect(h.transcript("#team")).toMatch(/noted standup\nnoted standup/);
    const admitted = (await h.audit()).filter((e) => e.event === "admitted" && e.command === "note");
    expect(admitted).toHaveLength(2);
    expect(admitted[0]).toMatchObject({
      actor: "bob",
      room: "#team",
      decision: "allowed",
      detail: { schedule: { id, due: "2026-06-01T10:15:00.000Z" }, sender: "bob", text: "note standup" },
    });
    const shown = (await h.as("alice").say("!audit --command note --limit 2")).text;
    expect(shown).toMatch(new RegExp(`note standup.* → allowed.*\\[schedule ${id}\\]`));
    expect((await h.as("alice").say('!audit --command "schedule add" --limit 3')).text).toMatch(
      new RegExp(`schedule ${id} add \\(note standup\\)`),
    );
    const jobs = await h.as("alice").say("!jobs");
    expect(jobs.text).toMatch(new RegExp(`${id} +note standup +bob +2026-06-01 12:45 Europe\\/Berlin`));
    await h.close();
  });

  it("stops when its owner loses schedule:write: audited, with a note in the room", async () => {
    const clock = new ManualClock("2026-06-01T10:00:00Z");
    const { runs, command } = recorder(clock);
    const h = await createHarness({ policy, commands: [command], clock });
    expect((await h.as("alice").say("!role grant walt noter")).text).toMatch(/walt now has role noter/);
    const id = /schedule (s\w+):/.exec((await h.as("walt").say("!schedule add every 10m note hourly")).text)![1]!;
    await runUntil(clock, h.bot, "2026-06-01T10:10:00Z");
    expect(runs).toHaveLength(1);

    // The command's permission came from a runtime grant: revoked, the next run is denied as typed, then it stops.
    expect((await h.as("alice").say("!role revoke walt noter")).text).toMatch(/walt no longer has role noter/);
    await runUntil(clock, h.bot, "2026-06-01T10:40:00Z");
    expect(runs).toHaveLength(1);
    expect(h.transcript()).toMatch(/denied: .*note:write/);
    expect(h.transcript()).toMatch(new RegExp(`schedule ${id} \\(note hourly\\) stopped: walt may no longer run it`));
    const audit = await h.audit();
    expect(audit.filter((e) => e.event === "denied" && e.command === "note")).toHaveLength(1);
    expect(audit.find((e) => e.event === "denied")?.detail?.schedule).toMatchObject({ id });
    expect(scheduleEntries(audit, "stopped")).toHaveLength(1);
    expect((await h.as("walt").say("!schedule list")).text).toMatch(/stopped/);
    await h.close();
  });

  it("stops without running when the owner no longer holds schedule:write", async () => {
    const clock = new ManualClock("2026-06-01T10:00:00Z");
    const { runs, command } = recorder(clock);
    const h = await createHarness({
      policy: { ...policy, principals: { ...policy.principals, bob: { ...policy.principals.bob, roles: ["noter"] } } },
      commands: [command],
      clock,
    });
    await h.as("alice").say("!role grant bob writer");
    const id = /schedule (s\w+):/.exec((await h.as("bob").say("!schedule add in 1h note later")).text)![1]!;
    await h.as("alice").say("!role revoke bob writer");
    await runUntil(clock, h.bot, "2026-06-01T11:30:00Z");
    expect(runs).toHaveLength(0);
    expect(h.transcript()).toMatch(
      new RegExp(`schedule ${id} \\(note later\\) stopped: bob no longer holds schedule:write`),
    );
    expect(scheduleEntries(await h.audit(), "stopped")[0]?.detail).toMatchObject({ id });
    await h.close();
  });

  it("a scheduled production deploy waits for its approval like a typed one", async () => {
    const clock = new ManualClock("2026-06-01T10:00:00Z");
    const h = await createHarness({ policy, commands: [deploy], clock });
    expect((await h.as("bob").say("!schedule add in 2h deploy api --token hunter2")).text).toMatch(
      /cannot hold the secret argument token/,
    );
    const added = await h.as("bob").say("!schedule add in 2h deploy api to production");
    expect(added.text).toMatch(/Each run waits for approval/);
    const id = /schedule (s\w+):/.exec(added.text)![1]!;
    await runUntil(clock, h.bot, "2026-06-01T12:00:00Z");
    const request = h.transcript();
    expect(request).toMatch(
      /needs 1 approval from someone with deploy:approve \(rule production-needs-approval\), not bob/,
    );
    const jobId = /job ([a-z0-9]{5})/.exec(request)![1]!;
    expect((await h.as("carol").say(`!approve ${jobId}`)).text).toMatch(/it is running now for bob/);
    await h.idle();
    expect(h.transcript()).toMatch(/deployed api\/main to production for bob approved by carol/);
    const trail = (await h.audit()).filter((e) => e.jobId === jobId).map((e) => e.event);
    expect(trail).toEqual(["admitted", "approval-requested", "approval", "outcome"]);
    const admitted = (await h.audit()).find((e) => e.jobId === jobId && e.event === "admitted")!;
    expect(admitted.detail?.schedule).toEqual({ due: "2026-06-01T12:00:00.000Z", id });
    // A one-time schedule is done once it ran, listed for a week, then forgotten.
    expect((await h.as("bob").say("!schedule list")).text).toMatch(/done/);
    await runUntil(clock, h.bot, "2026-06-09T12:00:00Z");
    expect((await h.as("bob").say("!schedule list")).text).toMatch(/no schedules/);
    await h.close();
  });

  it("refuses what the person could not run, too-frequent schedules and more than the allowed number", async () => {
    const clock = new ManualClock("2026-06-01T10:00:00Z");
    const { command } = recorder(clock);
    const h = await createHarness({ policy, commands: [command], clock, schedules: { maxPerPerson: 2 } });
    expect((await h.as("walt").say("!schedule add every 15m note x")).text).toMatch(
      /you may not schedule "note x": .*note:write/,
    );
    expect((await h.as("carol").say("!schedule add every 15m note x")).text).toMatch(/schedule:write/);
    expect((await h.as("bob").say('!schedule add "* * * * * *" note x')).text).toMatch(
      /more often than once every 60s/,
    );
    expect((await h.as("bob").say("!schedule add every 30s note x")).text).toMatch(/more often than once every 60s/);
    expect((await h.as("bob").say("!schedule add every 1m note a")).text).toMatch(/schedule s/);
    expect((await h.as("bob").say("!schedule add every 1h note b")).text).toMatch(/schedule s/);
    expect((await h.as("bob").say("!schedule add every 2h note c")).text).toMatch(/you have 2 schedules/);
    expect((await h.as("bob").say("!schedule add every 2h schedule list")).text).toMatch(
      /cannot run schedule commands/,
    );
    expect((await h.as("bob").say("!help schedule")).text).toMatch(
      /"schedule" has subcommands: .*!schedule add.*!schedule list.*!schedule pause/,
    );
    const help = await h.as("bob").say("!help schedule add");
    expect(help.text).toMatch(/every weekday at 09:00/);
    await h.close();
  });

  it("a rule that needs a verified device refuses a schedule: no device sends its runs", async () => {
    const clock = new ManualClock("2026-06-01T10:00:00Z");
    const { runs, command } = recorder(clock);
    const h = await createHarness({
      policy: { ...policy, rules: [{ name: "signed-notes", command: "note", requireVerifiedDevice: true }] },
      commands: [command],
      clock,
    });
    // What the Matrix adapter hands in for a message from bob's cross-signed device.
    const fromDevice = (text: string) =>
      h.adapter().inject({
        id: `d-${text}`,
        network: "test",
        room: { id: "#ops", direct: false },
        sender: { id: "bob", name: "bob", verified: true, deviceVerified: true },
        text,
        time: new Date(),
      });
    await fromDevice("!note typed");
    expect(runs.map((r) => r.what)).toEqual(["typed"]);
    await fromDevice("!schedule add every 1h note later");
    expect(h.transcript()).toMatch(
      /you may not schedule "note later": rule "signed-notes" needs a message from a verified device/,
    );
    expect(await h.bot.scheduler.list()).toEqual([]);
    await h.close();
  });

  it("pause, resume, run and remove: the owner's, or anyone's with schedule:admin; run only by the owner", async () => {
    const clock = new ManualClock("2026-06-01T10:00:00Z");
    const { runs, command } = recorder(clock);
    const h = await createHarness({ policy, commands: [command], clock });
    const id = /schedule (s\w+):/.exec((await h.as("bob").say("!schedule add every 10m note tick")).text)![1]!;
    expect((await h.as("nina").say(`!schedule pause ${id}`)).text).toMatch(/schedule .* is bob's/);
    expect((await h.as("bob").say(`!schedule pause ${id}`)).text).toMatch(/paused/);
    await runUntil(clock, h.bot, "2026-06-01T10:35:00Z");
    expect(runs).toHaveLength(0);
    expect((await h.as("bob").say(`!schedule resume ${id}`)).text).toMatch(/resumed/);
    await runUntil(clock, h.bot, "2026-06-01T10:40:00Z");
    expect(runs.map((r) => r.at)).toEqual(["2026-06-01T10:40:00.000Z"]);
    expect((await h.as("alice").say(`!schedule run ${id}`)).text).toMatch(/only they may run it/);
    await h.as("bob").say(`!schedule run ${id}`);
    expect(runs).toHaveLength(2);
    expect((await h.as("nina").say("!schedule list --all")).text).toMatch(/schedule:admin/);
    expect((await h.as("alice").say("!schedule list --all")).text).toMatch(new RegExp(id));
    expect((await h.as("alice").say(`!schedule remove ${id}`)).text).toMatch(/removed schedule/);
    await runUntil(clock, h.bot, "2026-06-01T11:30:00Z");
    expect(runs).toHaveLength(2);
    await h.close();
  });

  it("a long run does not hold up other schedules", async () => {
    const clock = new ManualClock("2026-06-01T10:00:00Z");
    const { runs, command } = recorder(clock);
    let release: () => void = () => {};
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const slow = defineCommand({
      name: "slow",
      summary: "Wait until released",
      permission: "note:write",
      handler: async () => {
        await gate;
        return "slow done";
      },
    });
    const h = await createHarness({ policy, commands: [command, slow], clock });
    await h.as("bob").say("!schedule add in 1m slow");
    await h.as("bob").say("!schedule add every 1m note quick");
    // settled() would wait for the slow run: each check is awaited on its own (it hands runs in and goes on).
    for (const minute of ["01", "02", "03"]) {
      clock.set(`2026-06-01T10:${minute}:00Z`);
      await h.bot.scheduler.tick();
    }
    for (let i = 0; i < 500 && runs.length < 3; i++) await new Promise((resolve) => setTimeout(resolve, 10));
    expect(runs.map((r) => r.at)).toEqual([
      "2026-06-01T10:01:00.000Z",
      "2026-06-01T10:02:00.000Z",
      "2026-06-01T10:03:00.000Z",
    ]);
    expect(h.transcript()).not.toMatch(/slow done/);
    release();
    await h.bot.scheduler.settled();
    expect(h.transcript()).toMatch(/slow done/);
    expect(h.transcript()).not.toMatch(/missed/);
    await h.close();
  });

  it("after downtime, missed runs are skipped with a note (skip) or run once (once)", async () => {
    const clock = new ManualClock("2026-06-01T08:00:00Z");
    const store = new MemoryStore();
    const { runs, command } = recorder(clock);
    const options = { policy, commands: [command], clock, store, schedules: { pollMs: 86_400_000 } };
    const first = await createHarness(options);
    await first.as("bob").say("!schedule add every day at 09:00 note skipped");
    await first.as("bob").say("!schedule add --missed once every day at 09:00 note caught-up");
    await first.as("nina").say('!schedule add --missed once "* * * * *" note every-minute');
    await runUntil(clock, first.bot, "2026-06-01T08:00:00Z");
    await first.close();

    // Down until 3 June noon: the 09:00 Berlin runs (07:00Z) of 2 and 3 June pass with no instance running.
    clock.set("2026-06-03T12:00:00Z");
    const second = await createHarness(options);
    await second.bot.scheduler.settled();
    expect(runs.map((r) => r.what).sort()).toEqual(["caught-up", "every-minute"]);
    // Two days of a once-a-minute schedule: counted up to 1000, the latest found in one step, run once.
    expect(second.transcript()).toMatch(/note every-minute\): more than 1000 runs were missed .* running it once now/);
    await second
      .as("nina")
      .say(
        `!schedule remove ${/(s\w+) +note every-minute/.exec((await second.as("nina").say("!schedule list")).text)![1]}`,
      );
    expect(second.transcript()).toMatch(/note skipped\): 2 runs were missed while the bot was down and skipped/);
    expect(second.transcript()).toMatch(
      /note caught-up\): 2 runs were missed while the bot was down; running it once now/,
    );
    expect(
      scheduleEntries(await second.audit(), "missed")
        .map((e) => e.detail?.missed)
        .sort(),
    ).toEqual([1000, 2, 2]);
    // Then both run on time again.
    await runUntil(clock, second.bot, "2026-06-04T12:00:00Z");
    expect(
      runs
        .filter((r) => r.what !== "every-minute")
        .map((r) => `${r.what} ${r.at}`)
        .sort(),
    ).toEqual([
      "caught-up 2026-06-03T12:00:00.000Z",
      "caught-up 2026-06-04T07:00:00.000Z",
      "skipped 2026-06-04T07:00:00.000Z",
    ]);
    await second.close();
  });
});
