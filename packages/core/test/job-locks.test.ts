/**
 * Locks owned by the job: held with `ctx.locks.hold`, shown with the person (`bob (job k3x9a)`), refused to every
 * other job — the same person's too — and released when the job ends, however it ends.
 */
import { describe, expect, it } from "vitest";
import { arg, createBot, defineCommand, type IncomingMessage, renderText, silentLogger } from "../src/index.js";

async function setup() {
  /** Holds `roll:<env>` until cancelled (or, with `--fail`, throws; with `--quick`, returns at once). */
  const roll = defineCommand({
    name: "roll",
    summary: "rolls out an environment",
    permission: "roll:run",
    args: { env: arg.string({ positional: true, required: true }), fail: arg.flag(), quick: arg.flag() },
    handler: async ({ args, locks, signal, job }) => {
      const lock = await locks.hold(`roll:${args.env}`, `rollout of ${args.env}`, 60_000);
      if (!lock.acquired) return `refused: ${lock.holder.reason}, held by ${lock.holder.owner}`;
      if (args.fail) throw new Error("broke halfway");
      if (args.quick) return `rolled ${args.env} (job ${job.id})`;
      await new Promise((_, reject) => signal.addEventListener("abort", () => reject(signal.reason)));
      return undefined;
    },
  });
  /** A check that (wrongly) holds a lock: it is released when the check returns, before the handler runs. */
  const peek = defineCommand({
    name: "peek",
    summary: "holds a lock in its check",
    permission: "roll:run",
    check: async ({ locks }) => {
      await locks.hold("roll:peek", "held by a check", 60_000);
      return {};
    },
    handler: async ({ locks }) => `held now: ${(await locks.list()).map((l) => l.name).join(", ") || "nothing"}`,
  });
  const bot = createBot({
    logger: silentLogger(),
    commands: [roll, peek],
    policy: {
      roles: { roller: { permissions: ["roll:run"] } },
      principals: {
        bob: { roles: ["roller"], identities: { test: "bob" } },
        carol: { roles: ["roller"], identities: { test: "carol" } },
      },
    },
  });
  let n = 0;
  const say = async (who: string, text: string) => {
    const replies: string[] = [];
    const message: IncomingMessage = {
      id: `m${++n}`,
      network: "test",
      room: { id: "#ops", direct: false },
      sender: { id: who, name: who, verified: true },
      text,
      time: new Date(),
    };
    await bot.handle(message, { respond: async (m) => void replies.push(renderText(m.blocks)) });
    return replies.join("\n");
  };
  const rollLocks = async () => (await bot.store.listLocks()).filter((l) => l.name.startsWith("roll:"));
  return { bot, say, rollLocks };
}

describe("job-owned locks", () => {
  it("the same person's second job is refused; a cancelled job releases its lock", async () => {
    const { bot, say, rollLocks } = await setup();
    const first = say("bob", "!roll prod");
    let held = await rollLocks();
    for (let i = 0; held.length === 0 && i < 200; i++) {
      await new Promise((r) => setTimeout(r, 5));
      held = await rollLocks();
    }
    const [lock] = held;
    const job = /\(job (\w+)\)$/.exec(lock!.owner)?.[1];
    expect(lock!.owner).toBe(`bob (job ${job})`);
    expect(await say("bob", "!roll prod")).toBe(`refused: rollout of prod, held by bob (job ${job})`);
    expect(await rollLocks()).toHaveLength(1);
    expect(await say("bob", `!cancel ${job}`)).toMatch(/cancel/i);
    await first;
    expect(await rollLocks()).toEqual([]);
    await bot.stop();
  });

  it("a finished job and a failed job release what they held", async () => {
    const { bot, say, rollLocks } = await setup();
    expect(await say("bob", "!roll staging --quick")).toMatch(/^✔?\s*rolled staging/);
    expect(await rollLocks()).toEqual([]);
    expect(await say("bob", "!roll staging --fail")).toMatch(/internal error|broke/i);
    expect(await rollLocks()).toEqual([]);
    expect(await say("carol", "!roll staging --quick")).toMatch(/rolled staging/);
    await bot.stop();
  });

  it("a lock a check holds is released when the check returns", async () => {
    const { bot, say, rollLocks } = await setup();
    expect(await say("bob", "!peek")).toBe("held now: nothing");
    expect(await rollLocks()).toEqual([]);
    await bot.stop();
  });
});
