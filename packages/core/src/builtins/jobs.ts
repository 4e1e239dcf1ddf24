import { arg } from "../args.js";
import { defineCommand } from "../command.js";
import { formatDuration } from "../duration.js";
import { who } from "../identity.js";
import { out } from "../output.js";
import type { BotServices } from "../services.js";

/** `jobs` and `cancel <id>`. */
export function jobCommands(bot: BotServices) {
  const jobs = defineCommand({
    name: "jobs",
    summary: "List running jobs and jobs waiting for approval",
    examples: ["jobs"],
    permission: "jobs:read",
    handler: ({ job: self }) => {
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
      if (rows.length === 0) return "no jobs are running";
      return [out.table(["job", "command", "for", "state", "age", "where"], rows)];
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
