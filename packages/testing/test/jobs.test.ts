import { arg, defineCommand } from "@switchboard/core";
import { describe, expect, it } from "vitest";
import { createHarness } from "../src/index.js";
import { deploy, hang, policy } from "./fixtures.js";

describe("jobs", () => {
  it("run concurrently: a slow job does not hold up a fast one", async () => {
    const h = await createHarness({ policy, commands: [deploy] });
    const order: string[] = [];
    const slow = h
      .as("bob")
      .say("!deploy slow --delay 300ms")
      .then(() => order.push("slow"));
    await h.waitFor(/deploying slow/);
    await h
      .as("bob")
      .say("!deploy fast")
      .then(() => order.push("fast"));
    const listed = (await h.as("alice").say("!jobs")).text;
    expect(listed).toMatch(/deploy +bob +running/);
    await slow;
    expect(order).toEqual(["fast", "slow"]);
    await h.close();
  });

  it("can be cancelled by their owner; others need jobs:cancel", async () => {
    const h = await createHarness({ policy, commands: [deploy] });
    const running = h.as("bob").say("!deploy api --delay 10s");
    await h.waitFor(/deploying api/);
    const id = /^(\w{5}) +deploy/m.exec((await h.as("alice").say("!jobs")).text)?.[1] ?? "";
    expect((await h.as("dave").say(`!cancel ${id}`)).text).toMatch(
      `job ${id} belongs to bob; cancelling it needs permission jobs:cancel`,
    );
    expect((await h.as("bob").say(`!cancel ${id}`)).text).toBe(`✔ cancelling job ${id} (deploy)`);
    expect((await running).text).toMatch(`job ${id} (deploy) was cancelled by bob`);
    const outcomes = (await h.audit()).filter((e) => e.event === "outcome");
    expect(outcomes.find((e) => e.jobId === id)).toMatchObject({
      outcome: "cancelled",
      detail: { cancelledBy: "bob" },
    });
    expect(outcomes.find((e) => e.command === "cancel" && e.actor === "dave")).toMatchObject({ outcome: "denied" });
    await h.close();
  });

  it("time out, even when the handler ignores its signal", async () => {
    const h = await createHarness({ policy, commands: [hang] });
    const { text } = await h.as("alice").say("!hang");
    expect(text).toMatch(/job \w{5} \(hang\) timed out after 100ms/);
    expect((await h.audit()).at(-1)).toMatchObject({ event: "outcome", outcome: "timed-out" });
    expect((await h.as("alice").say("!jobs")).text).toBe("no jobs are running");
    await h.close();
  });

  it("stream progress coalesced into a few messages, in order, before the result", async () => {
    const chatty = defineCommand({
      name: "chatty",
      summary: "prints many lines",
      guests: true,
      args: { lines: arg.number({ positional: true, required: true }) },
      handler: async ({ args, progress }) => {
        for (let i = 1; i <= args.lines; i++) {
          progress(`line ${i}`);
          if (i % 10 === 0) await new Promise((r) => setTimeout(r, 5));
        }
        return "done";
      },
    });
    const h = await createHarness({ policy, commands: [chatty], progressIntervalMs: 50 });
    const { messages, text } = await h.as("alice").say("!chatty 60");
    const progress = messages.filter((m) => m.kind === "progress");
    expect(progress.length).toBeGreaterThanOrEqual(1);
    expect(progress.length).toBeLessThan(10);
    expect(messages.at(-1)?.kind).toBe("reply");
    const numbers = [...text.matchAll(/line (\d+)/g)].map((m) => Number(m[1]));
    expect(numbers).toEqual([...numbers].sort((a, b) => a - b));
    expect(numbers.at(-1)).toBe(60);
    await h.close();
  });
});

describe("locks", () => {
  it("are leases held by the job's actor; others see who holds them", async () => {
    const take = defineCommand({
      name: "take",
      summary: "takes a lock",
      guests: true,
      args: { name: arg.string({ positional: true, required: true }) },
      handler: async ({ args, locks }) => {
        const result = await locks.acquire(args.name, "testing locks", 60_000);
        return result.acquired
          ? `took ${args.name}`
          : `${args.name} is held by ${result.holder.owner}: ${result.holder.reason}`;
      },
    });
    // Reading the lock list needs locks:read (guests see none of it); bob's role grants it here.
    const deployer = { permissions: [...policy.roles.deployer.permissions, "locks:read"] };
    const h = await createHarness({ policy: { ...policy, roles: { ...policy.roles, deployer } }, commands: [take] });
    expect((await h.as("alice").say("!take deploy:api:production")).text).toBe("took deploy:api:production");
    expect((await h.as("bob").say("!take deploy:api:production")).text).toBe(
      "deploy:api:production is held by alice: testing locks",
    );
    expect((await h.as("alice").say("!take deploy:api:production")).text).toBe("took deploy:api:production");
    expect((await h.as("bob").say("!locks")).text).toMatch(/deploy:api:production +alice +testing locks +in (\d+s|1m)/);
    await h.close();
  });
});

describe("audit", () => {
  it("redacts secret arguments from the audit log and leaves out the raw text", async () => {
    const h = await createHarness({ policy, commands: [deploy] });
    await h.as("bob").say("!deploy api --token s3cr3t-value");
    const entries = await h.audit();
    expect(JSON.stringify(entries)).not.toContain("s3cr3t-value");
    expect(entries.find((e) => e.event === "admitted")).toMatchObject({ args: { token: "[redacted]", app: "api" } });
    await h.close();
  });

  it("shows recent entries in chat with filters, for holders of audit:read", async () => {
    const h = await createHarness({ policy, commands: [deploy] });
    await h.as("bob").say("!deploy api");
    await h.as("zed").say("!deploy api");
    expect((await h.as("bob").say("!audit")).text).toMatch(/denied: command audit requires permission audit:read/);
    const denied = (await h.as("carol").say("!audit --outcome denied")).text;
    expect(denied).toMatch(/test:zed +deploy +denied/);
    expect(denied).not.toMatch(/ bob +deploy /);
    expect(denied).toMatch(/ bob +audit +denied/);
    const bobs = (await h.as("carol").say("!audit --user bob --command deploy")).text;
    expect(
      bobs
        .split("\n")
        .filter((l) => / bob +deploy( |$)/.test(l))
        .map((l) => l.split(/ +/)[3]),
    ).toEqual(["admitted", "outcome"]);
    await h.close();
  });
});
