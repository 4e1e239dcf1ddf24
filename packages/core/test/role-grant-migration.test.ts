// Runtime role grants kept in the v1 layout (one list of roles per person in `role-grants`, grantors apart in
// `role-grantors`, as every release before one-entry-per-grant wrote them) are moved at start to one entry per
// grant (`granted-roles`), keep their grantor, and are still checked against the verified (and checkpointed) audit
// chain; entries that were no grant are refused and reported as before. The migration is safe with several
// instances starting at once: a list is moved by the one caller whose delete of it succeeded, so an instance that
// read the v1 list before another moved it never puts back a grant revoked meanwhile.
import { describe, expect, it } from "vitest";
import { checkpointSigner, generateCheckpointKey } from "../src/audit/audit-checkpoint.js";
import { CheckpointingAuditLog } from "../src/audit/checkpointing-audit-log.js";
import { type AuditLog, createBot, MemoryAuditLog, MemoryStore, type Store, silentLogger } from "../src/index.js";
import { renderText } from "../src/output/render-text.js";
import { IdentityDirectory } from "../src/policy/identity.js";
import type { PolicyConfig } from "../src/policy/policy-config.js";
import { GRANTED, LEGACY_GRANTORS, LEGACY_GRANTS, migrateRoleGrants } from "../src/policy/role-grant-store.js";

const policy = {
  roles: {
    admin: { permissions: ["*"] },
    deployer: { permissions: ["deploy:run"] },
    oncall: { permissions: ["pager:take"] },
  },
  principals: { alice: { roles: ["admin"], identities: { test: "alice" } } },
};

/** What the v1 `role grant` wrote: the person's whole list, and the grantor of the role. */
async function v1Grant(store: Store, actor: string, roles: unknown, grantors: Record<string, string> = {}) {
  await store.set(LEGACY_GRANTS, actor, roles);
  for (const [role, by] of Object.entries(grantors)) await store.set(LEGACY_GRANTORS, `${actor}\u0000${role}`, by);
}

/** The audit entry the `role` builtin writes for a grant. */
const grantEntry = (by: string, target: string, role: string) => ({
  event: "role" as const,
  actor: by,
  command: "role grant",
  detail: { change: "grant", role, target },
});

async function start(store: Store, auditLog: AuditLog) {
  const bot = createBot({ store, auditLog, policy, logger: silentLogger(), rateLimit: false });
  await bot.start();
  let n = 0;
  const say = async (text: string): Promise<string> => {
    const replies: string[] = [];
    await bot.handle(
      {
        id: `m${++n}`,
        network: "test",
        room: { id: "#ops", direct: false },
        sender: { id: "alice", name: "alice", verified: true },
        text,
        time: new Date(),
      },
      { respond: (message) => void replies.push(renderText(message.blocks)) },
    );
    return replies.join("\n");
  };
  return { bot, say };
}

describe("runtime role grants from the v1 layout", () => {
  it("are moved to one entry per grant with their grantor, checked against the checkpointed chain, and kept", async () => {
    const store = new MemoryStore();
    const inner = new MemoryAuditLog();
    await inner.append([grantEntry("alice", "test:bob", "deployer"), grantEntry("alice", "test:bob", "oncall")]);
    await inner.append([grantEntry("alice", "test:carol", "oncall")]);
    const signer = checkpointSigner(generateCheckpointKey().privateKeyPem);
    const head = (await inner.query({ limit: 1 }))[0]!;
    const existing = [signer.sign({ seq: head.seq, hash: head.hash })];
    // bob: both roles audited, one grantor kept (the other from before grantors were kept); carol: audited.
    await v1Grant(store, "test:bob", ["deployer", "oncall"], { deployer: "alice" });
    await v1Grant(store, "test:carol", ["oncall"], { oncall: "alice" });
    // Written into the store by hand: no audit entry; not a list; a role that is not a name; a stray grantor.
    await v1Grant(store, "test:mallory", ["admin"], { admin: "alice" });
    await v1Grant(store, "test:junk", "deployer");
    await v1Grant(store, "test:odd", ["oncall", 7], { oncall: "alice" });
    await store.set(LEGACY_GRANTORS, "test:zed\u0000admin", "alice");

    const auditLog = new CheckpointingAuditLog(inner, { signer, write: () => {}, existing, intervalMs: 0 });
    const { bot, say } = await start(store, auditLog);
    expect(await store.list(LEGACY_GRANTS)).toEqual([]);
    expect(await store.list(LEGACY_GRANTORS)).toEqual([]);
    // test:odd's oncall has no audit entry: refused like mallory's admin.
    expect(await store.list(GRANTED)).toEqual([
      ["test:bob\u0000deployer", { by: "alice" }],
      ["test:bob\u0000oncall", {}],
      ["test:carol\u0000oncall", { by: "alice" }],
    ]);
    const refusals = (await inner.query({ event: "role", limit: 20 }))
      .filter((e) => e.detail?.change === "refused")
      .map((e) => [e.detail?.target, e.detail?.role, e.detail?.reason]);
    expect(refusals).toEqual(
      expect.arrayContaining([
        ["test:mallory", "admin", expect.stringMatching(/no trusted audit entry grants it|no audit entry grants it/)],
        ["test:junk", "deployer", "the store entry is not a list of roles"],
        ["test:odd", "7", "the role is not a name"],
        ["test:odd", "oncall", expect.stringMatching(/audit entry grants it/)],
      ]),
    );
    expect(refusals).toHaveLength(4);
    // The moved grants are bob's and carol's roles, read from the store by grant and revoke.
    expect(await say("!role grant bob deployer")).toContain("test:bob already has role deployer");
    expect(await say("!role revoke bob oncall")).toContain("test:bob no longer has role oncall");
    expect(await say("!role list bob")).toMatch(/granted: +deployer$/m);
    await bot.stop(0);

    // The next start finds nothing to move and nothing to refuse; the grants made and kept stay.
    const before = (await inner.query({ limit: 100 })).length;
    const again = await start(store, new CheckpointingAuditLog(inner, { signer, write: () => {}, intervalMs: 0 }));
    const after = await inner.query({ limit: 100 });
    expect(after.filter((e) => e.seq > before && e.detail?.change === "refused")).toEqual([]);
    expect(await again.say("!role list carol")).toMatch(/granted: +oncall$/m);
    await again.bot.stop(0);
  });

  it("keeps the grantor, so the laundering check of approvals still works on moved grants", async () => {
    const store = new MemoryStore();
    await v1Grant(store, "test:bob", ["deployer", "oncall"], { deployer: "alice" });
    await migrateRoleGrants(store);
    const identity = new IdentityDirectory(policy as unknown as PolicyConfig, store);
    await identity.load();
    expect(identity.grantorOf("test:bob", "deployer")).toBe("alice");
    expect(identity.grantorOf("test:bob", "oncall")).toBeUndefined();
    expect(identity.grantCountsFor("test:bob", "deployer", "test:dave")).toBe(true);
    expect(identity.grantCountsFor("test:bob", "deployer", "alice")).toBe(false);
    expect(identity.grantCountsFor("test:bob", "oncall", "test:dave")).toBe(false);
  });

  it("attack: an instance that read the v1 list before another moved it does not put back a grant revoked meanwhile", async () => {
    const store = new MemoryStore();
    await v1Grant(store, "test:mallory", ["deployer", "oncall"], { deployer: "alice", oncall: "alice" });
    // Instance two reads the v1 list, then waits (a gate, released below) before it takes the list.
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let reached!: () => void;
    const atGate = new Promise<void>((resolve) => (reached = resolve));
    const slow: Store = {
      get: (ns, key) => store.get(ns, key),
      set: (ns, key, value) => store.set(ns, key, value),
      setIfAbsent: (ns, key, value) => store.setIfAbsent(ns, key, value),
      list: (ns, prefix) => store.list(ns, prefix),
      acquireLock: (request) => store.acquireLock(request),
      releaseLock: (name, owner) => store.releaseLock(name, owner),
      listLocks: () => store.listLocks(),
      claimOccurrence: (name, at, owner) => store.claimOccurrence(name, at, owner),
      delete: async (ns, key) => {
        if (ns === LEGACY_GRANTS) {
          reached();
          await gate;
        }
        return store.delete(ns, key);
      },
    };
    const two = migrateRoleGrants(slow);
    await atGate;
    // Instance one moves the list, and an admin revokes mallory's deployer through it.
    expect(await migrateRoleGrants(store)).toEqual({ moved: 2, dropped: [] });
    const identity = new IdentityDirectory(policy as unknown as PolicyConfig, store);
    expect(await identity.revoke("test:mallory", "deployer")).toBe(true);
    release();
    expect(await two).toEqual({ moved: 0, dropped: [] });
    expect(await store.list(GRANTED)).toEqual([["test:mallory\u0000oncall", { by: "alice" }]]);
    // Two migrations at once move each grant once.
    await v1Grant(store, "test:eve", ["deployer", "oncall"]);
    const both = await Promise.all([migrateRoleGrants(store), migrateRoleGrants(store)]);
    expect(both.reduce((sum, m) => sum + m.moved, 0)).toBe(2);
    expect((await store.list(GRANTED)).map(([key]) => key)).toEqual([
      "test:eve\u0000deployer",
      "test:eve\u0000oncall",
      "test:mallory\u0000oncall",
    ]);
  });
});
