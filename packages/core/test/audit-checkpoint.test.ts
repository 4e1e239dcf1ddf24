import { generateKeyPairSync } from "node:crypto";
import { describe, expect, it } from "vitest";
import { chainRecords } from "../src/audit/audit.js";
import { describeAnchorProblem, verifyAnchored } from "../src/audit/audit-anchor.js";
import {
  type AuditCheckpoint,
  checkpointPublicKey,
  checkpointSigner,
  formatCheckpointLine,
  generateCheckpointKey,
  readCheckpoints,
} from "../src/audit/audit-checkpoint.js";
import { CheckpointingAuditLog } from "../src/audit/checkpointing-audit-log.js";
import {
  type AuditEntry,
  type AuditRecord,
  createBot,
  MemoryAuditLog,
  MemoryStore,
  silentLogger,
} from "../src/index.js";

const records = (n: number, from = 1): AuditRecord[] =>
  Array.from({ length: n }, (_, i) => ({ event: "outcome", actor: `u${from + i}`, outcome: "succeeded" }));

/** What someone with the file does: change entry `seq` and recompute every later hash, so the chain is intact. */
function recomputeFrom(entries: AuditEntry[], seq: number, edit: (e: AuditEntry) => AuditEntry): AuditEntry[] {
  const kept = entries.slice(0, seq - 1);
  const previous = kept.at(-1);
  const rest = entries.slice(seq - 1).map((e, i) => (i === 0 ? edit(e) : e));
  return [...kept, ...chainRecords(previous, rest)];
}

describe("signed checkpoints", () => {
  const { privateKeyPem, publicKeyPem } = generateCheckpointKey();
  const signer = checkpointSigner(privateKeyPem);
  const publicKey = checkpointPublicKey(publicKeyPem);
  const head = { seq: 5, hash: "a".repeat(64) };

  it("verifies what the key signed, with the public key alone", () => {
    const text = formatCheckpointLine(signer.sign(head));
    expect(readCheckpoints(text, publicKey)).toMatchObject({ checkpoints: [{ seq: 5, hash: head.hash }], bad: [] });
    expect(checkpointPublicKey(privateKeyPem).equals(publicKey)).toBe(true);
  });

  it("attack: a checkpoint line written without the key (edited seq, hash or time; another key) is reported", () => {
    const good = signer.sign(head);
    const other = checkpointSigner(generateCheckpointKey().privateKeyPem).sign({ seq: 9, hash: "b".repeat(64) });
    const forged: AuditCheckpoint[] = [
      { ...good, seq: 9 },
      { ...good, hash: "c".repeat(64) },
      { ...good, time: "2030-01-01T00:00:00.000Z" },
      { ...other, keyId: good.keyId },
      other,
    ];
    const text = [good, ...forged].map(formatCheckpointLine).join("") + "not json\n";
    const { checkpoints, bad } = readCheckpoints(text, publicKey);
    expect(checkpoints).toEqual([good]);
    expect(bad.map((b) => b.line)).toEqual([2, 3, 4, 5, 6, 7]);
    expect(bad[0]!.reason).toMatch(/signature does not match/);
    expect(bad[4]!.reason).toMatch(/signed by key [0-9a-f]{16}, not by this key/);
    expect(bad[5]!.reason).toMatch(/not JSON/);
  });

  it("refuses keys that are not Ed25519", () => {
    const rsa = generateKeyPairSync("rsa", { modulusLength: 1024 });
    expect(() => checkpointSigner(rsa.privateKey.export({ type: "pkcs8", format: "pem" }).toString())).toThrow(
      /Ed25519/,
    );
  });
});

describe("verifying against checkpoints", () => {
  const signer = checkpointSigner(generateCheckpointKey().privateKeyPem);
  const chain = chainRecords(undefined, records(10));
  const at = (seq: number) => signer.sign({ seq, hash: chain[seq - 1]!.hash });

  it("matches an untouched log and counts the entries after the last checkpoint", async () => {
    const result = await verifyAnchored(chain, { checkpoints: [at(4), at(8)] });
    expect(result).toMatchObject({ ok: true, anchor: { seq: 8 }, unanchored: 2, problems: [] });
  });

  it("attack: edit entry 6 and recompute every later hash — the checkpoint of entry 8 no longer matches", async () => {
    const forged = recomputeFrom(chain, 6, (e) => ({ ...e, actor: "mallory" }));
    const result = await verifyAnchored(forged, { checkpoints: [at(4), at(8)] });
    expect(result.chain.ok).toBe(true); // the chain alone cannot tell
    expect(result.ok).toBe(false);
    expect(result.anchor?.seq).toBe(4);
    expect(describeAnchorProblem(result.problems[0]!)).toMatch(
      /^entry #8 has hash [0-9a-f]{12}…, not [0-9a-f]{12}… as the checkpoint of entry #8 signed at .*: the log was recomputed or cut off after entry #4$/,
    );
  });

  it("attack: cut off the newest entries — the log ends before the checkpoint", async () => {
    const result = await verifyAnchored(chain.slice(0, 6), { checkpoints: [at(4), at(8)] });
    expect(result.ok).toBe(false);
    expect(describeAnchorProblem(result.problems[0]!)).toMatch(
      /^the log ends at entry #6, but the checkpoint of entry #8 .* vouches for entry #8: the log was recomputed or cut off after entry #4$/,
    );
  });

  it("a kept head: found by hash alone or by seq; a recomputed log does not have it", async () => {
    const kept = { hash: chain[6]!.hash };
    expect(await verifyAnchored(chain, { heads: [kept, { seq: 7, hash: kept.hash }] })).toMatchObject({ ok: true });
    const forged = recomputeFrom(chain, 3, (e) => ({ ...e, outcome: "failed" }));
    const byHash = await verifyAnchored(forged, { heads: [kept] });
    expect(describeAnchorProblem(byHash.problems[0]!)).toMatch(/^no entry up to #10 has the kept head [0-9a-f]{12}…/);
    const bySeq = await verifyAnchored(forged, { heads: [{ seq: 7, hash: kept.hash }] });
    expect(describeAnchorProblem(bySeq.problems[0]!)).toMatch(
      /^entry #7 has hash .*recomputed or cut off at or before entry #7$/,
    );
  });

  it("a broken chain is reported as such; checkpoints past the break are not compared", async () => {
    const broken = chain.map((e) => (e.seq === 3 ? { ...e, actor: "mallory" } : e));
    const result = await verifyAnchored(broken, { checkpoints: [at(2), at(8)] });
    expect(result).toMatchObject({ ok: false, chain: { ok: false, firstBad: { seq: 3 } }, anchor: { seq: 2 } });
    expect(result.problems).toEqual([]);
  });
});

describe("CheckpointingAuditLog", () => {
  function setup(every: number, intervalMs = 0) {
    const written: AuditCheckpoint[] = [];
    const announced: AuditCheckpoint[] = [];
    const { privateKeyPem } = generateCheckpointKey();
    const log = new CheckpointingAuditLog(new MemoryAuditLog(), {
      signer: checkpointSigner(privateKeyPem),
      write: (c) => void written.push(c),
      announce: (c) => void announced.push(c),
      every,
      intervalMs,
    });
    return { log, written, announced, publicKey: checkpointPublicKey(privateKeyPem) };
  }

  it("signs every N entries, after a role change at once, and the final head on close", async () => {
    const { log, written, announced, publicKey } = setup(3);
    await log.append(records(2));
    expect(written).toEqual([]);
    await log.append(records(1, 3));
    expect(written.map((c) => c.seq)).toEqual([3]);
    await log.append([{ event: "role", actor: "alice", detail: { change: "grant", role: "ops", target: "bob" } }]);
    expect(written.map((c) => c.seq)).toEqual([3, 4]);
    await log.append(records(1, 5));
    await log.close();
    expect(written.map((c) => c.seq)).toEqual([3, 4, 5]);
    expect(announced.map((c) => c.seq)).toEqual([3, 4]); // the shutdown checkpoint goes to the file only
    const text = written.map(formatCheckpointLine).join("");
    const verified = await verifyAnchored(log.entries(), { checkpoints: readCheckpoints(text, publicKey).checkpoints });
    expect(verified).toMatchObject({ ok: true, anchor: { seq: 5 }, unanchored: 0 });
  });

  it("signs on the timer when the head moved, and not again when it did not", async () => {
    const { log, written } = setup(1000, 20);
    await log.append(records(2));
    const deadline = Date.now() + 5000;
    while (written.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    expect(written.map((c) => c.seq)).toEqual([2]);
    await new Promise((r) => setTimeout(r, 100));
    expect(written).toHaveLength(1);
    await log.close();
    expect(written).toHaveLength(1);
  });

  it("a checkpoint that cannot be written does not lose the entries", async () => {
    const log = new CheckpointingAuditLog(new MemoryAuditLog(), {
      signer: checkpointSigner(generateCheckpointKey().privateKeyPem),
      write: () => {
        throw new Error("disk full");
      },
      every: 1,
      intervalMs: 0,
      logger: silentLogger(),
    });
    expect(await log.append(records(1))).toHaveLength(1);
    expect(await log.query({})).toHaveLength(1);
  });
});

describe("runtime role grants at start", () => {
  const policy = {
    roles: { ops: { permissions: ["deploy:*"] }, owner: { permissions: ["*"] } },
    principals: { alice: { roles: ["owner"], identities: { test: "alice" } } },
  };

  it("attack: a grant written straight into the store (v1 layout: a list per person) is refused at start and reported", async () => {
    const store = new MemoryStore();
    const auditLog = new MemoryAuditLog();
    await store.set("role-grants", "test:mallory", ["owner"]);
    await store.set("role-grantors", "test:mallory\u0000owner", "alice");
    const bot = createBot({ store, auditLog, policy, logger: silentLogger() });
    await bot.start();
    expect(await store.get("role-grants", "test:mallory")).toBeUndefined();
    expect(await store.list("role-grants")).toEqual([]);
    const [refusal] = await auditLog.query({ event: "role" });
    expect(refusal).toMatchObject({
      command: "role check",
      detail: { change: "refused", role: "owner", target: "test:mallory", claimedGrantor: "alice" },
    });
    expect(refusal!.detail!.reason).toMatch(/no audit entry grants it/);
    await bot.stop(0);
  });

  it("attack: a grant entry written straight into the store (one entry per grant) is refused at start", async () => {
    const store = new MemoryStore();
    const auditLog = new MemoryAuditLog();
    await store.set("granted-roles", "test:mallory\u0000owner", { by: "alice" });
    const bot = createBot({ store, auditLog, policy, logger: silentLogger() });
    await bot.start();
    expect(await store.list("granted-roles")).toEqual([]);
    const [refusal] = await auditLog.query({ event: "role" });
    expect(refusal).toMatchObject({
      command: "role check",
      detail: { change: "refused", role: "owner", target: "test:mallory", claimedGrantor: "alice" },
    });
    expect(refusal!.detail!.reason).toMatch(/no audit entry grants it/);
    await bot.stop(0);
  });

  it("attack: a grant whose role entry was appended after the last checkpoint is refused (the bot sees the checkpoints)", async () => {
    const store = new MemoryStore();
    const inner = new MemoryAuditLog();
    const signer = checkpointSigner(generateCheckpointKey().privateKeyPem);
    const last = (await inner.append(records(3))).at(-1)!;
    const existing = [signer.sign({ seq: last.seq, hash: last.hash })];
    // Someone with the file appends a correctly chained "role grant" entry and the grant itself.
    await inner.append([
      {
        event: "role",
        actor: "alice",
        command: "role grant",
        detail: { change: "grant", role: "owner", target: "test:mallory" },
      },
    ]);
    await store.set("role-grants", "test:mallory", ["owner"]);
    await store.set("role-grantors", "test:mallory\u0000owner", "alice");
    const auditLog = new CheckpointingAuditLog(inner, { signer, write: () => {}, existing, intervalMs: 0 });
    const bot = createBot({ store, auditLog, policy, logger: silentLogger() });
    await bot.start();
    expect(await store.get("role-grants", "test:mallory")).toBeUndefined();
    const [refusal] = await inner.query({ event: "role" });
    expect(refusal!.detail!.reason).toBe(
      "its audit entry #4 is not vouched for by a checkpoint (the log is trusted up to entry #3)",
    );
    await bot.stop(0);
  });

  it("a grant made with role grant is kept; one whose grantor was changed in the store is refused", async () => {
    const store = new MemoryStore();
    const auditLog = new MemoryAuditLog();
    const first = createBot({ store, auditLog, policy, logger: silentLogger() });
    const alice = (text: string) =>
      first.handle(
        {
          id: text,
          network: "test",
          room: { id: "#ops", direct: false },
          sender: { id: "alice", name: "alice", verified: true },
          text,
          time: new Date(),
        },
        { respond: () => {} },
      );
    await first.start();
    await alice("!role grant test:bob ops");
    await alice("!role grant test:carol ops");
    await first.stop(0);
    // Someone with the file makes carol's grant look like it came from someone else (to count as an approver).
    await store.set("granted-roles", "test:carol\u0000ops", { by: "test:dave" });
    const bot = createBot({ store, auditLog, policy, logger: silentLogger() });
    await bot.start();
    expect(await store.get("granted-roles", "test:bob\u0000ops")).toEqual({ by: "alice" });
    expect(await store.get("granted-roles", "test:carol\u0000ops")).toBeUndefined();
    const [refusal] = await auditLog.query({ event: "role" });
    expect(refusal!.detail).toMatchObject({ change: "refused", target: "test:carol" });
    expect(refusal!.detail!.reason).toMatch(/the store says test:dave granted it, but audit entry #\d+ says alice/);
    await bot.stop(0);
  });
});
