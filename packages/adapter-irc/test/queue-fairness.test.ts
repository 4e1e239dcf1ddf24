/**
 * The outgoing queue under a flood, as attacks: one person's answers must not hold up another's in the same
 * channel, job progress is what goes first when too much waits, and the queue never grows past its limit.
 */
import { out, TokenBucket } from "@switchboard/core";
import { describe, expect, it } from "vitest";
import { FloodQueue, type OutLine } from "../src/flood-queue.js";
import { planLines } from "../src/outbound.js";

const context = {
  self: { nick: "sbot", wantedNick: "sbot", username: "sbot", ident: "~sbot", host: "127.0.0.1" },
  colors: false,
  channelLines: 6,
  progressLines: 3,
  fold: (t: string) => t.toLowerCase(),
  holdsAccount: () => true,
};
const person = (name: string, verified = true) => ({ id: name, name, verified });
const inOps = (who: string, verified = true) => ({
  network: "irc",
  room: { id: "#ops", direct: false },
  mention: person(who, verified),
});

function queue(maxQueuedLines: number) {
  const sent: OutLine[] = [];
  const drops: Array<[string, number]> = [];
  let now = 0;
  const q = new FloodQueue({
    bucket: new TokenBucket(1, 1000, () => now),
    maxQueuedLines,
    canSend: () => true,
    write: (l) => sent.push(l),
    onDrop: (target, count) => drops.push([target, count]),
  });
  const push = (target: ReturnType<typeof inOps>, message: Parameters<typeof planLines>[1]) => {
    for (const batch of planLines(target, message, context))
      q.push(batch.key, batch.lines, {
        ...(batch.merge ? { merge: batch.merge } : {}),
        ...(batch.background ? { background: true } : {}),
      });
  };
  const tick = (n = 1) => {
    for (let i = 0; i < n; i++) {
      now += 1000;
      q.pump();
    }
  };
  return { q, sent, drops, push, tick };
}

const sixLines = (n: number) => ({
  blocks: [out.code(Array.from({ length: 6 }, (_, i) => `help ${n}.${i + 1}`).join("\n"))],
  kind: "reply" as const,
});

describe("one channel, several people", () => {
  it("a guest's queued answers do not hold up the owner's: the owner's line goes out next but one", () => {
    const { q, sent, push, tick } = queue(500);
    for (let n = 1; n <= 5; n++) push(inOps("mallory", false), sixLines(n));
    tick(3);
    push(inOps("owner"), { blocks: [out.text("pong, owner")], kind: "reply" });
    const sentBefore = sent.length;
    expect(q.size).toBeGreaterThan(25); // the guest's answers still waiting
    tick(2);
    const pong = sent.findIndex((l) => l.text === "owner: pong, owner");
    expect(pong).toBeGreaterThanOrEqual(sentBefore);
    expect(pong - sentBefore).toBeLessThanOrEqual(1);
    // Each person's own lines keep their order.
    tick(40);
    const mallorys = sent.filter((l) => l.target === "#ops" && !l.text.startsWith("owner")).map((l) => l.text);
    expect(mallorys.slice(0, 7)).toEqual([
      "mallory: help 1.1",
      "help 1.2",
      "help 1.3",
      "help 1.4",
      "help 1.5",
      "help 1.6",
      "mallory: help 2.1",
    ]);
    q.clear();
  });

  it("a job's progress and its final reply stay in order", () => {
    const { q, sent, push, tick } = queue(500);
    const bob = inOps("bob");
    push(bob, { blocks: [out.text("step 1\nstep 2")], kind: "progress", jobId: "k3j9x" });
    push(inOps("carol"), { blocks: [out.text("pong, carol")], kind: "reply" });
    push(bob, { blocks: [out.status("ok", "deployed")], kind: "reply" });
    tick(10);
    const bobs = sent.filter((l) => !l.text.startsWith("carol")).map((l) => l.text);
    expect(bobs).toEqual(["[k3j9x] step 1", "[k3j9x] step 2", "bob: ✔ deployed"]);
    q.clear();
  });
});

describe("bounded queue", () => {
  it("drops the oldest job progress first when too much waits; answers stay", () => {
    const { q, drops, push } = queue(8);
    push(inOps("bob"), { blocks: [out.text("p1\np2\np3")], kind: "progress", jobId: "aaaaa" }); // 3 lines
    push(inOps("alice"), { blocks: [out.text("a1\na2\na3\na4")], kind: "reply" }); // 4 lines (one token spent)
    push(inOps("carol"), { blocks: [out.text("c1\nc2\nc3")], kind: "reply" }); // over the limit
    expect(q.size).toBe(8);
    expect(drops).toEqual([["#ops\u0000bob", 1]]);
    q.clear();
  });

  it("never holds more than its limit, however much one person pushes", () => {
    const { q, push } = queue(50);
    for (let n = 0; n < 2000; n++) push(inOps("mallory", false), sixLines(n));
    for (let n = 0; n < 200; n++)
      push(inOps("mallory", false), { blocks: [out.text("x")], kind: "progress", jobId: `j${n}` });
    expect(q.size).toBeLessThanOrEqual(50);
    push(inOps("owner"), { blocks: [out.text("pong, owner")], kind: "reply" });
    expect(q.size).toBeLessThanOrEqual(50);
    q.clear();
  });
});
