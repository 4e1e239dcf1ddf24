// Concurrent `role grant` / `role revoke` of one person's roles must not lose a change. The attack: admin A revokes
// mallory's `deployer` while admin B grants her `oncall` at the same moment; if B's change were a read-modify-write
// of mallory's whole list, it would write `deployer` back (a revoke silently undone). Each grant is its own store
// entry (role-grant-store.ts): grant = insert-if-absent, revoke = delete, so the two never touch the same value.
// Both changes run concurrently for real (started in the same tick, interleaving at every await); no timing.
import { describe, expect, it } from "vitest";
import { MemoryAuditLog } from "../src/audit/audit.js";
import type { OutgoingMessage } from "../src/output/output.js";
import { renderText } from "../src/output/render-text.js";
import { IdentityDirectory } from "../src/policy/identity.js";
import type { PolicyConfig } from "../src/policy/policy-config.js";
import { createBot } from "../src/runtime/bot.js";
import { silentLogger } from "../src/runtime/logger.js";
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

describe("concurrent role changes of one person (one store, two directories: two instances)", () => {
  it("attack: a revoke racing a grant of another role is never undone", async () => {
    const store = new MemoryStore();
    const config = policy as unknown as PolicyConfig;
    const one = new IdentityDirectory(config, store);
    const two = new IdentityDirectory(config, store);
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
    const store = new MemoryStore();
    const config = policy as unknown as PolicyConfig;
    const one = new IdentityDirectory(config, store);
    const two = new IdentityDirectory(config, store);
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

describe("concurrent role commands on two bots sharing one store", () => {
  it("attack: `role revoke` through one bot racing `role grant` of another role through the other is never undone", async () => {
    const store = new MemoryStore();
    const auditLog = new MemoryAuditLog();
    const bots = [0, 1].map(() => createBot({ store, auditLog, policy, logger: silentLogger(), rateLimit: false }));
    for (const bot of bots) await bot.start();
    let n = 0;
    const say = async (bot: number, from: string, text: string): Promise<string> => {
      const replies: string[] = [];
      await bots[bot]!.handle(
        {
          id: `m${++n}`,
          network: "test",
          room: { id: "#ops", direct: false },
          sender: { id: from, name: from, verified: true },
          text,
          time: new Date(),
        },
        { respond: (message: OutgoingMessage) => void replies.push(renderText(message.blocks)) },
      );
      return replies.join("\n");
    };
    for (let round = 0; round < ROUNDS; round++) {
      const mallory = `mallory${round}`;
      expect(await say(0, "adminA", `!role grant ${mallory} deployer`)).toContain("now has role deployer");
      const [revoked, granted] = await Promise.all([
        say(0, "adminA", `!role revoke ${mallory} deployer`),
        say(1, "adminB", `!role grant ${mallory} oncall`),
      ]);
      expect(revoked).toContain(`test:${mallory} no longer has role deployer`);
      expect(granted).toContain(`test:${mallory} now has role oncall`);
      // Asked through either bot, from the store: the revoke holds, the grant too.
      expect(await say(1, "adminB", `!role revoke ${mallory} deployer`)).toContain("does not have role deployer");
      expect(await say(0, "adminA", `!role grant ${mallory} oncall`)).toContain("already has role oncall");
    }
    // One audit entry per change that happened: a grant, then the racing revoke and grant, per round.
    const changes = (await auditLog.query({ event: "role", limit: 10 * ROUNDS })).map((e) => e.detail?.change);
    expect(changes.filter((c) => c === "grant")).toHaveLength(2 * ROUNDS);
    expect(changes.filter((c) => c === "revoke")).toHaveLength(ROUNDS);
    for (const bot of bots) await bot.stop(0);
  });
});
