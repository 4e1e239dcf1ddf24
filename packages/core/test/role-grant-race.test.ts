// Concurrent `role grant` / `role revoke` of one person's roles must not lose a change. The attack: admin A revokes
// mallory's `deployer` while admin B grants her `oncall` at the same moment; if B's change were a read-modify-write
// of mallory's whole list, it would write `deployer` back (a revoke silently undone). Each grant is its own store
// entry (role-grant-store.ts): grant = insert-if-absent, revoke = delete, so the two never touch the same value.
// Both changes run concurrently for real (started in the same tick, interleaving at every await); no timing.
import { describe, expect, it } from "vitest";
import { IdentityDirectory } from "../src/policy/identity.js";
import type { PolicyConfig } from "../src/policy/policy-config.js";
import { MemoryStore } from "../src/store/memory-store.js";

const policy = {
  roles: {
    admin: { permissions: ["*"] },
    deployer: { permissions: ["deploy:run"] },
    oncall: { permissions: ["pager:take"] },
  },
  principals: {
    adminA: { roles: ["admin"], identities: { test: "adminA" } },
    adminB: { roles: ["admin"], identities: { test: "adminB" } },
  },
};

const ROUNDS = 50;

/** One store and two identity directories on it (two instances). */
function twoInstances() {
  const store = new MemoryStore();
  const config = policy as unknown as PolicyConfig;
  return { store, config, one: new IdentityDirectory(config, store), two: new IdentityDirectory(config, store) };
}

describe("concurrent role changes of one person (one store, two directories: two instances)", () => {
  it("attack: a revoke racing a grant of another role is never undone", async () => {
    const { store, config, one, two } = twoInstances();
    for (let round = 0; round < ROUNDS; round++) {
      const mallory = `test:mallory${round}`;
      expect(await one.grant(mallory, "deployer", "adminA")).toBe(true);
      const [revoked, granted] = await Promise.all([
        one.revoke(mallory, "deployer"),
        two.grant(mallory, "oncall", "adminB"),
      ]);
      expect([revoked, granted]).toEqual([true, true]);
      const stored = await new IdentityDirectory(config, store).readGrants();
      expect(stored.grants.get(mallory)).toEqual(["oncall"]);
      expect(stored.grantors.get(`${mallory}\u0000oncall`)).toBe("adminB");
      expect(stored.grantors.has(`${mallory}\u0000deployer`)).toBe(false);
    }
  });

  it("two revokes of two roles at once both stick; a grant and a revoke of one role decide once", async () => {
    const { one, two } = twoInstances();
    for (let round = 0; round < ROUNDS; round++) {
      const mallory = `test:mallory${round}`;
      await one.grant(mallory, "deployer", "adminA");
      await one.grant(mallory, "oncall", "adminA");
      expect(await Promise.all([one.revoke(mallory, "deployer"), two.revoke(mallory, "oncall")])).toEqual([true, true]);
      expect((await one.readGrants()).grants.has(mallory)).toBe(false);
      // Of two grants of one role at once, one is the change (the other is told "already has role").
      const granted = await Promise.all([
        one.grant(mallory, "oncall", "adminA"),
        two.grant(mallory, "oncall", "adminB"),
      ]);
      expect(granted.filter(Boolean)).toHaveLength(1);
      const revoked = await Promise.all([one.revoke(mallory, "oncall"), two.revoke(mallory, "oncall")]);
      expect(revoked.filter(Boolean)).toHaveLength(1);
      expect((await one.readGrants()).grants.has(mallory)).toBe(false);
    }
  });
});

// The same race through two bots' `role` commands runs against every store in @switchboard/testing's
// runRoleGrantRace (packages/store-sqlite/test/grants-race.test.ts: MemoryStore and SQLite).
