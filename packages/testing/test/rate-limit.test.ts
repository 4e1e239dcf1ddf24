/**
 * One person cannot drown the room, written as the attacks: a guest sending a burst, a guest changing nicks, a
 * member starting more long commands than their share; and what owners and everyone else still get.
 */
import { arg, defineCommand } from "@switchboard/core";
import { RateLimiter } from "@switchboard/core/app";
import { describe, expect, it } from "vitest";
import { createHarness } from "../src/index.js";
import { policy } from "./fixtures.js";

const until = async (check: () => boolean, what: string) => {
  const deadline = Date.now() + 10_000;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`gave up waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
};

describe("rate limits", () => {
  it("a guest's burst gets its share answered, then exactly one slow-down notice; the rest is dropped", async () => {
    const h = await createHarness({ policy, rateLimit: { guest: { burst: 3, intervalMs: 60_000 } } });
    const mallory = h.as("mallory", { verified: false });
    const answers = await Promise.all(Array.from({ length: 10 }, () => mallory.say("!ping")));
    const texts = answers.map((a) => a.text);
    expect(texts.filter((t) => t === "pong, mallory")).toHaveLength(3);
    const notices = texts.filter((t) => t.startsWith("⚠ slow down"));
    expect(notices).toEqual([
      "⚠ slow down, mallory: guests send at most 3 commands at once, then one every 1m; what you send until you pause for a moment is ignored",
    ]);
    expect(texts.filter((t) => t === "")).toHaveLength(6);
    // More of the same stays silent: one notice per burst, not one per message.
    for (let i = 0; i < 5; i++) expect((await mallory.say("!ping")).text).toBe("");
    // Everyone else is answered meanwhile, the owner without any limit.
    expect((await h.as("bob").say("!ping")).text).toBe("pong, bob");
    const owner = await Promise.all(Array.from({ length: 30 }, () => h.as("alice").say("!ping")));
    expect(owner.every((a) => a.text === "pong, alice")).toBe(true);
    // Dropped commands never reached dispatch: nothing of them is in the audit log.
    const trail = (await h.audit()).filter((e) => e.actor === "guest:test:mallory" && e.event === "admitted");
    expect(trail).toHaveLength(3);
    await h.close();
  });

  it("a guest who pauses gets answers again (and a new notice only after a new burst)", async () => {
    const h = await createHarness({ policy, rateLimit: { guest: { burst: 1, intervalMs: 100 } } });
    const mallory = h.as("mallory", { verified: false });
    expect((await mallory.say("!ping")).text).toBe("pong, mallory");
    expect((await mallory.say("!ping")).text).toMatch(/^⚠ slow down/);
    let answer = "";
    const deadline = Date.now() + 10_000;
    while (answer !== "pong, mallory" && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 50));
      answer = (await mallory.say("!ping")).text;
    }
    expect(answer).toBe("pong, mallory");
    await h.close();
  }, 20_000);

  it("new nicks do not buy new buckets: all guests of a network share one, with one notice", async () => {
    const h = await createHarness({
      policy,
      rateLimit: { guest: { burst: 3, intervalMs: 60_000 }, guests: { burst: 5, intervalMs: 60_000 } },
    });
    const answers = await Promise.all(
      Array.from({ length: 20 }, (_, i) => h.as(`nick${i}`, { verified: false }).say("!ping")),
    );
    const texts = answers.map((a) => a.text);
    expect(texts.filter((t) => t.startsWith("pong"))).toHaveLength(5);
    expect(texts.filter((t) => t.startsWith("⚠ slow down: guests on test send at most 5 commands"))).toHaveLength(1);
    expect(texts.filter((t) => t === "")).toHaveLength(14);
    expect((await h.as("bob").say("!ping")).text).toBe("pong, bob");
    // Another network's guests have their own share.
    expect((await h.as("eve", { verified: false, network: "matrix" }).say("!ping")).text).toBe("pong, eve");
    await h.close();
  });

  it("a person runs at most their share of commands at once; the bot at most its total", async () => {
    let release = () => {};
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const slow = defineCommand({
      name: "slow",
      summary: "waits",
      guests: true,
      args: { n: arg.number({ positional: true }) },
      handler: async ({ args }) => {
        await gate;
        return `done ${args.n}`;
      },
    });
    const h = await createHarness({
      policy,
      commands: [slow],
      rateLimit: { maxRunningPerPerson: 2, maxRunning: 3 },
    });
    const bobs = [h.as("bob").say("!slow 1"), h.as("bob").say("!slow 2")];
    expect((await h.as("bob").say("!slow 3")).text).toBe(
      "⚠ bob, you already have 2 commands running; wait for one to finish",
    );
    expect((await h.as("bob").say("!slow 4")).text).toBe(""); // told once
    const carol = h.as("carol").say("!slow 5");
    await until(() => h.bot.jobs.list().length === 3, "three running jobs");
    expect((await h.as("dave").say("!ping")).text).toBe(
      "⚠ the bot is busy with 3 commands; dave, try again in a moment",
    );
    expect((await h.as("alice").say("!ping")).text).toBe("pong, alice"); // exempt
    release();
    expect((await Promise.all([...bobs, carol])).map((a) => a.text)).toEqual(["done 1", "done 2", "done 5"]);
    expect((await h.as("bob").say("!slow 6")).text).toBe("done 6");
    await h.close();
  });

  it("are on by default in core: a guest is limited without any option", async () => {
    const h = await createHarness({ policy, rateLimit: undefined });
    const guest = h.as("m", { verified: false });
    const texts: string[] = [];
    for (let i = 0; i < 8; i++) texts.push((await guest.say("!ping")).text);
    expect(texts.slice(0, 5)).toEqual(Array(5).fill("pong, m"));
    expect(texts[5]).toMatch(/^⚠ slow down, m: guests send at most 5 commands at once, then one every 5s/);
    expect(texts.slice(6)).toEqual(["", ""]);
    await h.close();
  });
});

describe("the limiter's memory", () => {
  it("stays bounded while identities keep changing", () => {
    let now = 0;
    const limiter = new RateLimiter({}, { guestRole: "guest", holds: () => false }, () => now);
    for (let i = 0; i < 20_000; i++) {
      now += 1;
      const admission = limiter.admit({
        id: `guest:irc:n${i}`,
        name: `n${i}`,
        known: false,
        verified: false,
        roles: ["guest"],
        network: "irc",
        sender: { id: `n${i}`, name: `n${i}`, verified: false },
      });
      if (admission.ok) admission.release?.();
    }
    expect(limiter.size.buckets).toBeLessThanOrEqual(2000);
    expect(limiter.size.running).toBe(0);
  });

  it("never forgets the bucket all guests of a network share, however many others come and go", () => {
    const now = 0; // frozen: no bucket fills up again
    const limiter = new RateLimiter({}, { guestRole: "guest", holds: () => false }, () => now);
    const person = (id: string, roles: string[]) => ({
      id,
      name: id,
      known: false,
      verified: roles[0] !== "guest",
      roles,
      network: "irc",
      sender: { id, name: id, verified: roles[0] !== "guest" },
    });
    const admitted = (id: string, roles: string[]) => {
      const admission = limiter.admit(person(id, roles));
      if (admission.ok) admission.release?.();
      return admission.ok;
    };
    // Guests with fresh nicks use up what all guests of irc may send together (15).
    let guests = 0;
    while (admitted(`guest:irc:n${guests}`, ["guest"])) guests++;
    expect(guests).toBe(15);
    // 2,000 other identities each send a command (members of a big network, or the attacker's own accounts).
    for (let i = 0; i < 2000; i++) expect(admitted(`irc:m${i}`, ["member"])).toBe(true);
    // The next new nick is still held by the shared bucket.
    expect(admitted("guest:irc:fresh", ["guest"])).toBe(false);
    expect(limiter.size.buckets).toBeLessThanOrEqual(2001);
  });
});
