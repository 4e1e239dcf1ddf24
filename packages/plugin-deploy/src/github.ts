/**
 * The GitHub REST endpoints the plugin uses, through Octokit: a ref's commit, its combined status and check runs,
 * deployments and their statuses. The base URL is configurable (GitHub Enterprise: `https://HOST/api/v3`).
 * @module
 */
import { Octokit } from "@octokit/core";
import { UserError } from "@switchboard/core";
import type { CiContext } from "./ci.js";

/** A client for one GitHub (or GitHub Enterprise) API. */
export type GitHub = Octokit;

/** Creates the client. */
export function createGitHub(settings: { baseUrl: string; token?: string | undefined }): GitHub {
  return new Octokit({
    baseUrl: settings.baseUrl.replace(/\/+$/, ""),
    userAgent: "switchboard-plugin-deploy",
    ...(settings.token ? { auth: settings.token } : {}),
  });
}

/** `owner/name` split for Octokit. */
export function repoParts(repository: string): { owner: string; repo: string } {
  const [owner = "", repo = ""] = repository.split("/");
  return { owner, repo };
}

/** Turns an Octokit failure into an answer for chat. */
export function gitHubProblem(error: unknown, what: string): UserError {
  if (error instanceof UserError) return error;
  if ((error as { name?: string })?.name === "AbortError") return new UserError(`${what}: stopped`);
  const status = (error as { status?: number })?.status;
  const message = error instanceof Error ? error.message : String(error);
  if (status === 401) return new UserError(`${what}: GitHub refused the token (401)`);
  if (status === 403) return new UserError(`${what}: GitHub refused access (403): ${message}`);
  if (status === 404) return new UserError(`${what}: not found on GitHub (404)`);
  if (status) return new UserError(`${what}: GitHub answered ${status}: ${message}`);
  return new UserError(`${what}: cannot reach GitHub: ${message}`);
}

/** The commit a ref names (`GET /repos/{owner}/{repo}/commits/{ref}`). */
export async function commitOf(github: GitHub, repository: string, ref: string, signal: AbortSignal): Promise<string> {
  try {
    const { data } = await github.request("GET /repos/{owner}/{repo}/commits/{ref}", {
      ...repoParts(repository),
      ref,
      request: { signal },
    });
    return data.sha;
  } catch (error) {
    if ((error as { status?: number })?.status === 404 || (error as { status?: number })?.status === 422)
      throw new UserError(`no branch, tag or commit "${ref}" in ${repository}`);
    throw gitHubProblem(error, `resolving ${repository}@${ref}`);
  }
}

/** The commit at the head of a branch (`GET /repos/{owner}/{repo}/branches/{branch}`): never a tag or a commit id. */
export async function branchHead(
  github: GitHub,
  repository: string,
  branch: string,
  signal: AbortSignal,
): Promise<string> {
  try {
    const { data } = await github.request("GET /repos/{owner}/{repo}/branches/{branch}", {
      ...repoParts(repository),
      branch,
      request: { signal },
    });
    return data.commit.sha;
  } catch (error) {
    if ((error as { status?: number })?.status === 404) throw new UserError(`no branch "${branch}" in ${repository}`);
    throw gitHubProblem(error, `resolving branch ${branch} of ${repository}`);
  }
}

/**
 * Every CI context reported for a commit: the combined status (`GET …/commits/{ref}/status`) and the check runs
 * (`GET …/commits/{ref}/check-runs`), each mapped to success, pending or failure.
 */
export async function ciContextsOf(
  github: GitHub,
  repository: string,
  sha: string,
  signal: AbortSignal,
): Promise<CiContext[]> {
  try {
    const params = { ...repoParts(repository), ref: sha, per_page: 100, request: { signal } };
    const [combined, checks] = await Promise.all([
      github.request("GET /repos/{owner}/{repo}/commits/{ref}/status", params),
      github.request("GET /repos/{owner}/{repo}/commits/{ref}/check-runs", params),
    ]);
    const contexts: CiContext[] = combined.data.statuses.map((s) => {
      const creator = (s as { creator?: { login?: string } | null }).creator?.login;
      return {
        name: s.context,
        state: s.state === "success" ? "success" : s.state === "pending" ? "pending" : "failure",
        detail: s.state,
        kind: "status",
        ...(creator ? { creator } : {}),
        ...(s.description ? { description: s.description } : {}),
        ...(s.target_url ? { url: s.target_url } : {}),
      };
    });
    // A re-run check has several runs with the same name from the same app: the newest (highest id) counts. Runs of
    // the same name from different apps are kept apart (a required context may be pinned to one of them).
    const newest = new Map<string, (typeof checks.data.check_runs)[number]>();
    for (const run of checks.data.check_runs) {
      const key = `${run.app?.id ?? ""}\u0000${run.name}`;
      const seen = newest.get(key);
      if (!seen || run.id > seen.id) newest.set(key, run);
    }
    for (const run of newest.values()) {
      const done = run.status === "completed";
      const conclusion = run.conclusion ?? "completed";
      const app = run.app ? { id: run.app.id, slug: run.app.slug ?? "" } : undefined;
      contexts.push({
        name: run.name,
        state: !done
          ? "pending"
          : conclusion === "success"
            ? "success"
            : conclusion === "neutral" || conclusion === "skipped"
              ? "neutral"
              : "failure",
        detail: done ? conclusion : run.status,
        kind: "check",
        ...(app ? { app } : {}),
        ...(run.output?.title ? { description: run.output.title } : {}),
        ...(run.html_url ? { url: run.html_url } : {}),
      });
    }
    return contexts;
  } catch (error) {
    throw gitHubProblem(error, `reading CI status of ${repository}@${sha.slice(0, 7)}`);
  }
}

/** A deployment to create. */
export interface DeploymentRequest {
  repository: string;
  sha: string;
  environment: string;
  task: string;
  description: string;
  payload: Record<string, unknown>;
  production: boolean;
}

/**
 * Creates a deployment (`POST /repos/{owner}/{repo}/deployments`) for an exact commit. CI was checked by the
 * plugin's gate already, so `required_contexts` is empty and nothing is merged.
 */
export async function createDeployment(
  github: GitHub,
  request: DeploymentRequest,
  signal: AbortSignal,
): Promise<{ id: number; url: string }> {
  try {
    const response = await github.request("POST /repos/{owner}/{repo}/deployments", {
      ...repoParts(request.repository),
      ref: request.sha,
      task: request.task,
      environment: request.environment,
      description: request.description,
      payload: request.payload as { [key: string]: unknown },
      auto_merge: false,
      required_contexts: [],
      production_environment: request.production,
      request: { signal },
    });
    if (response.status !== 201 || !("id" in response.data))
      throw new UserError(`GitHub did not create the deployment: ${JSON.stringify(response.data)}`);
    return { id: Number(response.data.id), url: response.data.url };
  } catch (error) {
    throw gitHubProblem(error, `creating a deployment of ${request.repository}@${request.sha.slice(0, 7)}`);
  }
}

/** One deployment status. */
export interface DeploymentStatus {
  id: number;
  state: string;
  description?: string;
  url?: string;
}

/** A deployment's statuses, oldest first (`GET /repos/{owner}/{repo}/deployments/{id}/statuses`). */
export async function deploymentStatuses(
  github: GitHub,
  repository: string,
  deploymentId: number,
  signal: AbortSignal,
): Promise<DeploymentStatus[]> {
  try {
    const { data } = await github.request("GET /repos/{owner}/{repo}/deployments/{deployment_id}/statuses", {
      ...repoParts(repository),
      deployment_id: deploymentId,
      per_page: 100,
      request: { signal },
    });
    return data
      .map((s) => ({
        id: Number(s.id),
        state: s.state,
        ...(s.description ? { description: s.description } : {}),
        ...(s.log_url || s.target_url ? { url: (s.log_url || s.target_url) as string } : {}),
      }))
      .sort((a, b) => a.id - b.id);
  } catch (error) {
    throw gitHubProblem(error, `reading the statuses of deployment ${deploymentId}`);
  }
}
