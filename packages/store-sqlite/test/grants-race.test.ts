// Concurrent role changes of one person on SQLite: two bots on two connections to one file (as two processes
// sharing it, or one process whose commands interleave at every await). Admin A revokes mallory's `deployer` while
// admin B grants her `oncall`, started in the same tick: each grant is its own row (grant = INSERT … ON CONFLICT DO
// NOTHING, revoke = DELETE), so B's grant cannot write `deployer` back. No timing: the race is the interleaving.
import { createBot, type OutgoingMessage, renderText, silentLogger } from "@switchboard/core";
import { describe, expect, it } from "vitest";
import { openSqlite } from "../src/index.js";
import { onCleanup, tempDbPath } from "./helpers.js";

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

describe("role grants on SQLite, changed at once through two connections", () => {
  it("attack: a revoke racing a grant of another role for the same person is never undone", async () => {
    const path = tempDbPath();
    const bots = [0, 1].map(() => {
      const storage = openSqlite(path);
      onCleanup(() => storage.close());
      return createBot({
        store: storage.store,
        auditLog: storage.auditLog,
        policy,
        logger: silentLogger(),
        rateLimit: false,
      });
    });
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
      expect(await say(1, "adminB", `!role revoke ${mallory} deployer`)).toContain("does not have role deployer");
      expect(await say(0, "adminA", `!role grant ${mallory} oncall`)).toContain("already has role oncall");
    }
    for (const bot of bots) await bot.stop(0);
  });
});
