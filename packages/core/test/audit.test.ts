import { describe, expect, it } from "vitest";
import { canonicalJson, chainRecords, GENESIS_HASH, hashEntry, verifyChain } from "../src/audit/audit.js";
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

  it("the in-memory log gives back what it chained, byte for byte: any text, entries larger than a block", async () => {
    const log = new MemoryAuditLog();
    const odd = ["é ü", "\u{1F600}", "lone \ud800 surrogate", 'quote " backslash \\ newline \n', "constructor"];
    const written = [];
    for (let i = 0; i < 300; i++)
      written.push(
        ...(await log.append([
          {
            event: "admitted",
            actor: odd[i % odd.length],
            args: { text: `${odd[(i + 1) % odd.length]} ${i}`, n: i },
            detail: { reason: "x".repeat(i * 37), nested: { b: odd[i % odd.length], a: [i, null] } },
          },
          { event: "outcome", actor: "a", outcome: "succeeded", durationMs: i },
        ])),
      );
    // One entry larger than a storage block (1 MiB) and, after it, a small one.
    written.push(...(await log.append([{ event: "admitted", detail: { blob: "é".repeat(700_000) } }])));
    written.push(...(await log.append([{ event: "outcome", outcome: "failed" }])));
    const read = [];
    for await (const entry of log.entries()) read.push(entry);
    expect(read).toEqual(written);
    expect(await verifyChain(read)).toMatchObject({ ok: true, checked: written.length });
    expect(await log.query({ actor: odd[2], limit: 2 })).toEqual(
      written
        .filter((e) => e.actor === odd[2])
        .reverse()
        .slice(0, 2),
    );
  });
});
