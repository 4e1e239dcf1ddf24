import type { AuditOutcome } from "../audit/audit.js";
import { auditSummary } from "../audit/audit-summary.js";
import { arg } from "../commands/args.js";
import { defineCommand } from "../commands/command.js";
import { out } from "../output/output.js";
import type { BotServices } from "../runtime/services.js";
import { linkFor } from "./web-link.js";

const outcomes = ["succeeded", "failed", "cancelled", "timed-out", "denied", "expired", "rejected"] as const;

/** `audit`: recent audit entries, filtered. */
export function auditCommand(bot: BotServices) {
  return defineCommand({
    name: "audit",
    summary: "Show recent audit log entries (filters: --user, --command, --outcome, --job; --link for the web view)",
    examples: [
      "audit",
      "audit --user alice --outcome denied",
      "audit --command deploy --limit 50",
      "audit --user alice --link",
    ],
    permission: "audit:read",
    args: {
      user: arg.string({ description: "a principal or network:id" }),
      command: arg.string({ description: "a command name" }),
      outcome: arg.enum(outcomes, { description: "only entries with this outcome" }),
      job: arg.string({ description: "a job id" }),
      link: arg.flag({
        description: "answer with a signed link to these entries in the web view (in a direct message)",
      }),
      limit: arg.number({
        default: 20,
        validate: (n) => (n >= 1 && n <= 500 ? undefined : "must be between 1 and 500"),
      }),
    },
    handler: async ({ args, message, actor }) => {
      if (args.link) {
        const filters = {
          ...(args.user ? { actor: bot.identity.actorIdFor(args.user, message.network) } : {}),
          ...(args.command ? { command: args.command } : {}),
          ...(args.outcome ? { outcome: args.outcome } : {}),
          ...(args.job ? { jobId: args.job } : {}),
        };
        return [out.link(linkFor(bot, message, { kind: "audit", filters }, actor.id), "the audit log in the web view")];
      }
      const entries = await bot.auditLog.query({
        limit: args.limit,
        ...(args.user ? { actor: bot.identity.actorIdFor(args.user, message.network) } : {}),
        ...(args.command ? { command: args.command } : {}),
        ...(args.outcome ? { outcome: args.outcome as AuditOutcome } : {}),
        ...(args.job ? { jobId: args.job } : {}),
      });
      if (entries.length === 0) return "no audit entries match";
      const rows = entries
        .reverse()
        .map((e) => [
          String(e.seq),
          e.time.slice(11, 19),
          e.jobId ?? "",
          e.event,
          e.actor ?? "",
          e.command ?? "",
          auditSummary(e),
        ]);
      return [out.table(["#", "time", "job", "event", "actor", "command", "detail"], rows)];
    },
  });
}
