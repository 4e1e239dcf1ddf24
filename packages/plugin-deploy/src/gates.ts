/**
 * The gates a deploy passes, in order: room allowed (here), permission (core, with the plugin's requirements and
 * the configured rules), environment not locked by someone else ({@link lockGate}), CI green for the exact commit
 * (here), approval (core). Each refusal says what stopped the deploy.
 * @module
 */
import { type CheckContext, DeniedError, type IncomingMessage, out } from "@switchboard/core";
import type { Target } from "./apps.js";
import { ciVerdict, describeRequired } from "./ci.js";
import { ciContextsOf } from "./github.js";
import { short } from "./names.js";
import type { DeployState } from "./state.js";

/** The room gate: refuses when the environment lists rooms and this is not one of them. */
export function roomGate(target: Target, message: IncomingMessage): void {
  const rooms = target.env.rooms;
  if (!rooms) return;
  const here = [message.room.id, `${message.network}:${message.room.id}`];
  if (here.some((r) => rooms.includes(r))) return;
  throw new DeniedError(
    `deploys of ${target.appName} to ${target.envName} are allowed only in ${rooms.join(", ")} (not in ${message.room.id})`,
    `plugins.deploy.apps.${target.appName}.environments.${target.envName}.rooms`,
  );
}

/** Whether a branch name matches one of an environment's `branches` (`*` stands for any characters). */
export function branchAllowed(patterns: string[], branch: string): boolean {
  return patterns.some((pattern) => {
    const source = pattern
      .split("*")
      .map((part) => part.replace(/[.+?^${}()|[\]\\/]/g, "\\$&"))
      .join(".*");
    return new RegExp(`^${source}$`).test(branch);
  });
}

/**
 * The branch gate: when the environment lists `branches`, the ref must be one of them (it is then resolved as a
 * branch only, so a tag or a commit id of the same name cannot stand in for it).
 */
export function branchGate(target: Target, ref: string): void {
  const branches = target.env.branches;
  if (!branches || branchAllowed(branches, ref)) return;
  throw new DeniedError(
    `${target.envName} of ${target.appName} takes only ${branches.join(", ")} (not ${ref}); merge it there first`,
    `plugins.deploy.apps.${target.appName}.environments.${target.envName}.branches`,
  );
}

/** What the CI gate concluded. */
export type CiGateResult = "green" | "not required" | "forced";

/**
 * The CI gate: every required context green for `sha` (pending and missing are not green). Refuses unless forced;
 * when forced past a red gate it says so in the room. Posts one line naming the commit and the CI state.
 */
export async function ciGate(
  state: DeployState,
  target: Target,
  ref: string,
  sha: string,
  { force }: { force: boolean },
  context: Pick<CheckContext<unknown>, "reply" | "signal" | "actor">,
): Promise<CiGateResult> {
  const what = `${target.appName}/${ref} is ${short(sha)}`;
  const required = target.env.requiredContexts;
  if (required.length === 0) {
    await context.reply(out.status("info", `${what}; no CI contexts are required for ${target.envName}`));
    return "not required";
  }
  const contexts = await ciContextsOf(state.github!, target.app.repository!, sha, context.signal);
  const verdict = ciVerdict(contexts, required);
  if (verdict.green) {
    await context.reply(out.status("ok", `${what}; CI is green: ${describeRequired(verdict)}`));
    return "green";
  }
  if (force) {
    await context.reply(
      out.status("warn", `${what}; CI is not green (${describeRequired(verdict)}); forced by ${context.actor.name}`),
    );
    return "forced";
  }
  throw new DeniedError(
    `CI is not green for ${target.appName}/${ref} (${short(sha)}): ${describeRequired(verdict)}. ` +
      `Wait for it, or force with "deploy! ${target.appName}/${ref} to ${target.envName}" (needs deploy:force)`,
    `ci gate ${target.appName}/${target.envName}`,
  );
}
