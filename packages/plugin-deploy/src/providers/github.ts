/**
 * The `github` provider: creates a GitHub Deployment for the pinned commit (as heaven does) and follows its
 * deployment statuses until one is final, streaming each new status into chat.
 * @module
 */
import type { GithubProviderConfig } from "../config.js";
import { createDeployment, deploymentStatuses, type GitHub } from "../github.js";
import { short } from "../names.js";
import type { DeployRun, ProviderIO, ProviderOutcome } from "./provider.js";

const FINAL: Record<string, boolean> = { success: true, failure: false, error: false, inactive: false };

/** Waits `ms`, or less when aborted. */
function pause(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener("abort", done, { once: true });
  });
}

/** Runs a deploy with the github provider. */
export async function deployWithGitHub(
  github: GitHub,
  repository: string,
  provider: GithubProviderConfig,
  run: DeployRun,
  io: ProviderIO,
): Promise<ProviderOutcome> {
  const deployment = await createDeployment(
    github,
    {
      repository,
      sha: run.sha,
      environment: run.env,
      task: run.task ?? provider.task,
      description: `${run.app}/${run.ref} (${short(run.sha)}) for ${run.actor} via switchboard`,
      payload: {
        ...provider.payload,
        app: run.app,
        ref: run.ref,
        hosts: run.hosts.join(","),
        actor: run.actor,
        approvers: run.approvers,
        job: run.job,
        force: run.force,
        rollback: run.rollback,
      },
      production: run.env === "production",
    },
    io.signal,
  );
  await io.recordDeployment(repository, deployment.id);
  io.progress(
    provider.webhookStatuses
      ? `created GitHub deployment ${deployment.id} of ${short(run.sha)} to ${run.env}`
      : `created GitHub deployment ${deployment.id} of ${short(run.sha)} to ${run.env}; following its statuses`,
  );
  const deadline = Date.now() + provider.timeout;
  const seen = new Set<number>();
  for (;;) {
    if (io.signal.aborted)
      return { ok: false, summary: `deployment ${deployment.id}: stopped following`, stopped: "aborted" };
    const statuses = await deploymentStatuses(github, repository, deployment.id, io.signal).catch((error: unknown) => {
      if (io.signal.aborted) return [];
      throw error;
    });
    for (const status of statuses) {
      if (seen.has(status.id) || provider.webhookStatuses) continue;
      seen.add(status.id);
      io.progress(
        `${status.state}${status.description ? `: ${status.description}` : ""}${status.url ? ` (${status.url})` : ""}`,
      );
    }
    const last = statuses.at(-1);
    if (last && last.state in FINAL)
      return { ok: FINAL[last.state] === true, summary: `deployment ${deployment.id}: ${last.state}` };
    if (Date.now() >= deadline)
      return { ok: false, summary: `deployment ${deployment.id}: no final status in time`, stopped: "timeout" };
    await pause(Math.min(provider.pollInterval, Math.max(0, deadline - Date.now())), io.signal);
  }
}
