import { TokenBucket } from "@switchboard/core";
import { describe, expect, it } from "vitest";
import { FloodQueue, type OutLine } from "../src/flood-queue.js";

const line = (target: string, text: string): OutLine => ({ command: "PRIVMSG", target, text });

describe("TokenBucket", () => {
  it("allows a burst, then one line per interval", () => {
    let now = 0;
    const bucket = new TokenBucket(3, 1000, () => now);
    expect([bucket.tryTake(), bucket.tryTake(), bucket.tryTake(), bucket.tryTake()]).toEqual([true, true, true, false]);
    expect(bucket.waitMs()).toBe(1000);
    now = 999;
    expect(bucket.tryTake()).toBe(false);
    now = 1000;
    expect(bucket.tryTake()).toBe(true);
    now = 60_000;
    expect(bucket.waitMs()).toBe(0);
    bucket.charge(5); // lines sent outside the queue count too
    expect(bucket.waitMs()).toBe(3000);
  });
});

describe("FloodQueue", () => {
  function queue(burst: number, canSend = () => true) {
    const sent: OutLine[] = [];
    const drops: Array<[string, number]> = [];
    let now = 0;
    const q = new FloodQueue({
      bucket: new TokenBucket(burst, 1_000_000, () => now),
      maxQueuedLines: 6,
      canSend,
      write: (l) => sent.push(l),
      onDrop: (target, count) => drops.push([target, count]),
    });
    return {
      q,
      sent,
      drops,
      refill: () => {
        now += 1_000_000;
        q.pump();
      },
    };
  }

  it("keeps order per target and takes turns between targets", () => {
    const { q, sent, refill } = queue(1);
    q.push("a", [line("a", "a1"), line("a", "a2"), line("a", "a3")]);
    q.push("b", [line("b", "b1"), line("b", "b2")]);
    for (let i = 0; i < 5; i++) refill();
    expect(sent.map((l) => l.text)).toEqual(["a1", "b1", "a2", "b2", "a3"]);
    q.clear();
  });

  it("sends background lines (the private rest of a capped reply) only while nothing else waits", () => {
    const { q, sent, refill } = queue(1);
    q.push("x", [line("x", "x0")]); // takes the one token
    q.push("alice", [line("alice", "r1"), line("alice", "r2")], { background: true });
    q.push("#ops", [line("#ops", "o1"), line("#ops", "o2")]);
    for (let i = 0; i < 4; i++) refill();
    expect(sent.map((l) => l.text)).toEqual(["x0", "o1", "o2", "r1", "r2"]);
  });

  it("waits while it cannot send and sends on pump", () => {
    let up = false;
    const { q, sent } = queue(10, () => up);
    q.push("a", [line("a", "x")]);
    expect(sent).toEqual([]);
    up = true;
    q.pump();
    expect(sent.map((l) => l.text)).toEqual(["x"]);
  });

  it("merges waiting progress of the same job", () => {
    const { q, sent } = queue(0);
    const merge = { mergeKey: "progress:j", coalesce: (a: OutLine[], b: OutLine[]) => [...a, ...b].slice(-2) };
    q.push("a", [line("a", "p1")], { merge });
    q.push("a", [line("a", "p2"), line("a", "p3")], { merge });
    expect(q.size).toBe(2);
    q.clear();
    expect(sent).toEqual([]);
  });

  it("drops the oldest lines of the longest queue beyond the limit", () => {
    const { q, drops } = queue(0);
    q.push(
      "a",
      [1, 2, 3, 4, 5].map((n) => line("a", `a${n}`)),
    );
    q.push("b", [line("b", "b1"), line("b", "b2")]);
    expect(q.size).toBe(6);
    expect(drops).toEqual([["a", 1]]);
    q.clear();
  });
});
