import { describe, expect, it } from "vitest";
import { canonicalJson, chainRecords, GENESIS_HASH, hashEntry, verifyChain } from "../src/audit.js";
import { MemoryAuditLog } from "../src/index.js";

describe("audit chain", () => {
  it("encodes canonically: key order and undefined do not matter", () => {
    expect(canonicalJson({ b: 1, a: { d: [1, undefined], c: "x" }, z: undefined })).toBe(
      '{"a":{"c":"x","d":[1,null]},"b":1}',
    );
  });

  it("links each entry to the previous one", async () => {
    const log = new MemoryAuditLog();
    const [first, second] = await log.append([
      { event: "admitted", actor: "a" },
      { event: "outcome", actor: "a" },
    ]);
    expect(first!.prevHash).toBe(GENESIS_HASH);
    expect(second!.prevHash).toBe(first!.hash);
    const { hash, ...rest } = second!;
    expect(hashEntry(rest)).toBe(hash);
    expect(await verifyChain(log.entries())).toEqual({ ok: true, checked: 2, lastHash: second!.hash });
  });

  it("names the first edited, removed or reordered entry", async () => {
    const entries = chainRecords(
      undefined,
      [1, 2, 3, 4].map((i) => ({ event: "admitted" as const, actor: `u${i}` })),
    );
    const edited = entries.map((e) => (e.seq === 3 ? { ...e, actor: "mallory" } : e));
    expect(await verifyChain(edited)).toMatchObject({
      ok: false,
      firstBad: { seq: 3, reason: expect.stringMatching(/edited/) },
    });
    const removed = entries.filter((e) => e.seq !== 2);
    expect(await verifyChain(removed)).toMatchObject({
      ok: false,
      firstBad: { seq: 3, reason: expect.stringMatching(/missing/) },
    });
    const rehashed = entries.map((e) => (e.seq === 2 ? { ...e, hash: hashEntry({ ...e, actor: "x" }) } : e));
    expect(await verifyChain(rehashed)).toMatchObject({ ok: false, firstBad: { seq: 2 } });
  });
});
