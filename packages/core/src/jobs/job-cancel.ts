/**
 * Cancelling a job on someone's behalf: their own, or anyone's with `jobs:cancel`. A running job is aborted; one
 * waiting for approval is withdrawn through the approval desk — with several instances on one database, also one
 * that another instance holds (through its approval row, with the same rules).
 * @module
 */

import type { JobInfo } from "../commands/command.js";
import type { ApprovalDesk } from "../policy/approval-desk.js";
import { type Actor, who } from "../policy/identity.js";
import type { Policy } from "../policy/permissions.js";
import { DeniedError, JobCancelledError, UserError } from "../runtime/errors.js";
import { type JobTable, jobInfo } from "./jobs.js";

/** Cancels job `id` as `by`; throws a UserError or DeniedError naming why not. */
export async function cancelJob(
  deps: { jobs: JobTable; policy: Policy; desk: ApprovalDesk; prefix: string },
  id: string,
  by: Actor,
): Promise<JobInfo> {
  const job = deps.jobs.get(id);
  if (!job) {
    const elsewhere = await deps.desk.withdrawElsewhere(id, by);
    if (elsewhere) return elsewhere;
    throw new UserError(`no job ${id} is running`, `see ${deps.prefix}jobs`);
  }
  if (job.actor.id !== by.id && !(by.verified && deps.policy.check(by.roles, "jobs:cancel").held)) {
    throw new DeniedError(
      `job ${job.id} belongs to ${who(job.actor)}; cancelling it needs permission jobs:cancel`,
      "command cancel",
    );
  }
  if (job.state === "running") job.controller.abort(new JobCancelledError(who(by)));
  else await deps.desk.withdraw(job, by);
  return jobInfo(job);
}
