import { arg } from "../args.js";
import { defineCommand } from "../command.js";
import { formatDuration } from "../duration.js";
import { who } from "../identity.js";
import { out } from "../output.js";
import { formatInZone } from "../schedule-when.js";
import type { BotServices } from "../services.js";

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
    examples: ["jobs"],
    permission: "jobs:read",
    handler: async ({ job: self }) => {
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
      return out.status("ok", `cancelling job ${job.id} (${job.command.name})`);
    },
  });
  return [jobs, cancel];
}
