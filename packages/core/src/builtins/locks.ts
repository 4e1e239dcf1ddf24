import { defineCommand } from "../commands/command.js";
import { out } from "../output/output.js";
import type { BotServices } from "../runtime/services.js";
import { formatDuration } from "../util/duration.js";

/** `locks`: who holds which lease, why, and until when. */
export function locksCommand(bot: BotServices) {
  return defineCommand({
    name: "locks",
    summary: "List held locks (deploy environments, rollouts) with owner, reason and expiry",
    examples: ["locks"],
    permission: "locks:read",
    handler: async () => {
      const locks = await bot.store.listLocks();
      if (locks.length === 0) return "no locks are held";
      const now = Date.now();
      const rows = locks.map((l) => [l.name, l.owner, l.reason, `in ${formatDuration(l.expiresAt.getTime() - now)}`]);
      return [out.table(["lock", "owner", "reason", "expires"], rows)];
    },
  });
}
