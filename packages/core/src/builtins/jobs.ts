import { arg } from "../commands/args.js";
import { defineCommand } from "../commands/command.js";
import { out } from "../output/output.js";
import { who } from "../policy/identity.js";
import { UserError } from "../runtime/errors.js";
import type { BotServices } from "../runtime/services.js";
import { formatInZone } from "../schedules/schedule-when.js";
import { formatDuration } from "../util/duration.js";
import { linkFor } from "./web-link.js";

/** The next runs of active schedules, soonest first (at most 10), as table rows. */
async function nextScheduledRuns(bot: BotServices): Promise<string[][]> {
  const runs: Array<[number, string[]]> = [];
  for (const record of await bot.schedules.list()) {
    if (record.state !== "active") continue;
    const next = await bot.schedules.nextRun(record);
    if (!next) continue;
    const where = `${record.network} ${record.room.name ?? record.room.id}`;
    runs.push([next.getTime(), [record.id, record.line, record.owner, formatInZone(next, record.timezone), where]]);
  }
  return runs
    .sort((a, b) => a[0] - b[0])
    .slice(0, 10)
    .map(([, row]) => row);
}

/** `jobs` (and the next scheduled runs) and `cancel <id>`. */
export function jobCommands(bot: BotServices) {
  const jobs = defineCommand({
    name: "jobs",
    summary: "List running jobs, jobs waiting for approval and the next scheduled runs",
    examples: ["jobs", "jobs --link"],
    permission: "jobs:read",
    args: {
      link: arg.flag({
        description: "answer with a signed link to the approvals waiting, in the web view (in a direct message)",
      }),
    },
    handler: async ({ job: self, args, message, actor }) => {
      if (args.link) return [out.link(linkFor(bot, message, { kind: "approvals" }, actor.id), "approvals waiting")];
      const rows = bot.jobs
        .list()
        .filter((j) => j.id !== self.id)
        .map((j) => [
          j.id,
          j.command.name,
          who(j.actor),
          j.state === "running" ? "running" : `awaiting ${j.approval!.approvers.size}/${j.approval!.count} approvals`,
          formatDuration(Date.now() - j.createdAt.getTime()),
          `${j.message.network} ${j.message.room.name ?? j.message.room.id}`,
        ]);
      const upcoming = await nextScheduledRuns(bot);
      const blocks = [
        rows.length === 0
          ? out.text("no jobs are running")
          : out.table(["job", "command", "for", "state", "age", "where"], rows),
      ];
      if (upcoming.length > 0) blocks.push(out.table(["schedule", "command", "for", "next run", "where"], upcoming));
      return blocks;
    },
  });
  const cancel = defineCommand({
    name: "cancel",
    summary: "Cancel a running job, or withdraw one waiting for approval (others' jobs need jobs:cancel)",
    examples: ["cancel k3j9x"],
    guests: false,
    args: { id: arg.string({ positional: true, required: true, description: "the job id" }) },
    handler: async ({ args, actor }) => {
      const job = await bot.cancelJob(args.id, actor);
      return out.status("ok", `cancelling job ${job.id} (${job.command})`);
    },
  });
  const job = defineCommand({
    name: "job",
    summary: "Show one job from the audit log (--link: a signed link to its page in the web view)",
    examples: ["job k3j9x", "job k3j9x --link"],
    permission: "jobs:read",
    args: {
      id: arg.string({ positional: true, required: true, description: "the job id" }),
      link: arg.flag({ description: "answer with a signed link to the job's page (in a direct message)" }),
    },
    handler: async ({ args, message, actor }) => {
      const id = args.id.toLowerCase().replace(/^#/, "");
      const entries = (await bot.auditLog.query({ jobId: id, limit: 200 })).reverse();
      const live = bot.jobs.get(id);
      if (entries.length === 0 && !live) throw new UserError(`no job ${id} in the audit log`);
      const requester = live?.actor.id ?? entries.find((e) => e.event === "admitted" || e.event === "denied")?.actor;
      if (requester !== actor.id && !bot.policy.check(actor.roles, "audit:read").held)
        throw new UserError(`job ${id} is someone else's: reading it needs audit:read`);
      if (args.link) return [out.link(linkFor(bot, message, { kind: "job", jobId: id }, actor.id), `job ${id}`)];
      const end = entries.find((e) => e.event === "outcome" || e.event === "denied");
      const command = live?.command.name ?? entries[0]?.command ?? "?";
      const state = live ? live.state : (end?.outcome ?? "unknown");
      return out.text(`job ${id}: ${command} for ${requester ?? "?"}, ${state}`);
    },
  });
  return [jobs, job, cancel];
}
