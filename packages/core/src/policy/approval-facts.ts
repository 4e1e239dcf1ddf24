/**
 * What both ways of deciding on a waiting job share (in memory on one instance, or through its row with several):
 * the digest of the prepared invocation, what an approver is checked against, and whether the requirements are met.
 * @module
 */
import { hash } from "node:crypto";
import { canonicalJson } from "../audit/audit.js";
import type { Job } from "../jobs/jobs.js";
import { who } from "./identity.js";
import type { ApprovalRequirement, Policy } from "./permissions.js";

/** The digest of a prepared invocation: command, arguments (secrets redacted) and checked facts. */
export function invocationDigest(job: Job): string {
  return hash("sha256", canonicalJson({ command: job.command.name, args: job.auditArgs, checked: job.checked ?? {} }));
}

/** What an approval or refusal is checked against: a job held here, or another instance's row. */
export interface Pending {
  id: string;
  requester: string;
  requesterName: string;
  permission: string;
  requirements: ApprovalRequirement[];
  requireVerifiedDevice: boolean;
}

/** Whether each requirement has its count of approvers holding its permission. */
export function requirementsMet(
  policy: Policy,
  requirements: ApprovalRequirement[],
  roles: Iterable<string[]>,
): boolean {
  const all = [...roles];
  return requirements.every((r) => all.filter((held) => policy.check(held, r.permission).held).length >= r.count);
}

/** A job held here, as approvals are checked against it. */
export function pendingOf(job: Job): Pending {
  const approval = job.approval!;
  return {
    id: job.id,
    requester: job.actor.id,
    requesterName: who(job.actor),
    permission: approval.permission,
    requirements: approval.requirements,
    requireVerifiedDevice: approval.requireVerifiedDevice === true,
  };
}
