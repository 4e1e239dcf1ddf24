/**
 * Concurrent role changes of one person through two bots sharing one store (two instances, or two connections to
 * one file). The attack: admin A revokes mallory's `deployer` while admin B grants her `oncall` in the same tick; if
 * a change were a read-modify-write of her whole list, B's would write `deployer` back (a revoke silently undone).
 * Each store package runs it against itself; no timing: the race is the interleaving at every await.
 * @module
 */
import {
  type AuditLog,
  createBot,
  type OutgoingMessage,
  renderText,
  type Store,
  silentLogger,
} from "@switchboard/core";
import { describe, expect, it } from "vitest";

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

/** One bot's view of the shared storage. */
export interface RaceStorage {
  store: Store;
  auditLog: AuditLog;
}

/**
 * Runs the race, `rounds` times, through two bots on the two views `open` returns (called once per test; both views
 * must share one store and one audit chain).
 */
export function runRoleGrantRace(name: string, open: () => [RaceStorage, RaceStorage], rounds = 50): void {
  describe(`concurrent role commands on two bots sharing one store: ${name}`, () => {
    it("attack: `role revoke` through one bot racing `role grant` of another role through the other is never undone", async () => {
      const views = open();
      const bots = views.map(({ store, auditLog }) =>
        createBot({ store, auditLog, policy, logger: silentLogger(), rateLimit: false }),
      );
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
      for (let round = 0; round < rounds; round++) {
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
      const changes = (await views[0].auditLog.query({ event: "role", limit: 10 * rounds })).map(
        (e) => e.detail?.change,
      );
      expect(changes.filter((c) => c === "grant")).toHaveLength(2 * rounds);
      expect(changes.filter((c) => c === "revoke")).toHaveLength(rounds);
      for (const bot of bots) await bot.stop(0);
    });
  });
}
