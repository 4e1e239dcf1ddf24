/**
 * `deploy cancel <job>`: cancels a deploy or rollback through core's cancel (your own job, or anyone's with
 * `jobs:cancel`). The provider's process gets SIGTERM, then SIGKILL after its grace period.
 * @module
 */
import { arg, defineCommand, out, UserError } from "@switchboard/core";

/** The commands a deploy job can be. */
const DEPLOY_COMMANDS = ["deploy", "rollback"];

/** The deploy cancel command. */
export function cancelCommand() {
  return defineCommand({
    name: "deploy cancel",
    summary: "Cancel a running deploy (or withdraw one waiting for approval)",
    examples: ["deploy cancel k3j9x"],
    guests: false,
    args: { job: arg.string({ positional: true, required: true, description: "the job id of the deploy" }) },
    handler: async ({ args, jobs }) => {
      const job = jobs.get(args.job);
      if (!job) throw new UserError(`no job ${args.job} is running`, `see "jobs"`);
      if (job.plugin !== "deploy" || !DEPLOY_COMMANDS.includes(job.command))
        throw new UserError(`job ${job.id} is a ${job.command}, not a deploy`, `use "cancel ${job.id}"`);
      await jobs.cancel(job.id);
      const { app, ref, env } = job.args as { app?: string; ref?: string; env?: string };
      return out.status("ok", `cancelling ${job.command} job ${job.id} (${app}${ref ? `/${ref}` : ""} to ${env})`);
    },
  });
}
