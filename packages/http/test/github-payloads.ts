/** GitHub webhook payloads in the documented shape (trimmed to realistic fields), and a client that signs them. */
import { randomUUID } from "node:crypto";
import { sign } from "@octokit/webhooks-methods";

export const repository = (fullName = "acme/web") => ({
  id: 1296269,
  name: fullName.split("/")[1],
  full_name: fullName,
  private: false,
  owner: { login: fullName.split("/")[0], id: 1, type: "Organization" },
  html_url: `https://github.com/${fullName}`,
  default_branch: "main",
});

const SHA = "4f1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e6f7a8b9c";

export const checkSuite = (
  conclusion: string | null,
  overrides: { id?: number; sha?: string; repo?: string } = {},
) => ({
  action: conclusion ? "completed" : "requested",
  check_suite: {
    id: overrides.id ?? 5001,
    head_branch: "main",
    head_sha: overrides.sha ?? SHA,
    status: conclusion ? "completed" : "queued",
    conclusion,
    url: "https://api.github.com/repos/acme/web/check-suites/5001",
    app: { id: 15368, slug: "github-actions", name: "GitHub Actions" },
    head_commit: { id: SHA, message: "Fix the login form\n\nLonger description here", author: { name: "Alice" } },
  },
  repository: repository(overrides.repo),
  sender: { login: "alice" },
});

export const checkRun = (
  name: string,
  conclusion: string,
  suite: { status: string; conclusion: string | null },
  suiteId = 5001,
) => ({
  action: "completed",
  check_run: {
    id: Math.floor(Math.random() * 1e6),
    name,
    head_sha: SHA,
    status: "completed",
    conclusion,
    html_url: `https://github.com/acme/web/runs/${name}`,
    app: { name: "GitHub Actions" },
    check_suite: { id: suiteId, head_branch: "main", head_sha: SHA, ...suite, app: { name: "GitHub Actions" } },
  },
  repository: repository(),
  sender: { login: "alice" },
});

export const commitStatus = (state: string, context = "ci/jenkins") => ({
  id: 42,
  sha: SHA,
  name: "acme/web",
  state,
  context,
  description: "Build finished",
  target_url: "https://ci.example.com/job/web/7",
  branches: [{ name: "main", commit: { sha: SHA } }],
  commit: { sha: SHA, commit: { message: "Fix the login form" } },
  repository: repository(),
  sender: { login: "jenkins" },
});

export const deploymentStatus = (state: string, payload: Record<string, unknown> = {}, id = 777) => ({
  action: "created",
  deployment_status: {
    id: Math.floor(Math.random() * 1e6),
    state,
    description: "Deploying web",
    environment: "production",
    target_url: "",
    log_url: "https://ci.example.com/deploys/777",
    environment_url: "https://web.example.com",
    creator: { login: "deploy-bot" },
  },
  deployment: {
    id,
    sha: SHA,
    ref: "main",
    task: "deploy",
    payload,
    environment: "production",
    description: "deploy web",
    creator: { login: "bob" },
  },
  repository: repository(),
  sender: { login: "bob" },
});

export const pullRequestClosed = (merged: boolean) => ({
  action: "closed",
  number: 12,
  pull_request: {
    number: 12,
    title: "Add dark mode",
    html_url: "https://github.com/acme/web/pull/12",
    state: "closed",
    merged,
    merged_by: merged ? { login: "carol" } : null,
    user: { login: "dave" },
    base: { ref: "main" },
    head: { ref: "dark-mode" },
  },
  repository: repository(),
  sender: { login: "carol" },
});

export const push = (branch: string, commits = 2) => ({
  ref: `refs/heads/${branch}`,
  before: "0".repeat(40),
  after: SHA,
  created: false,
  deleted: false,
  forced: false,
  compare: "https://github.com/acme/web/compare/abc...def",
  commits: Array.from({ length: commits }, (_, i) => ({ id: `${i}`, message: `commit ${i}` })),
  head_commit: { id: SHA, message: "Merge pull request #12\n\nAdd dark mode" },
  pusher: { name: "carol", email: "carol@example.com" },
  sender: { login: "carol" },
  repository: repository(),
});

/** Sends a delivery the way GitHub does: JSON body, X-GitHub-Event, X-GitHub-Delivery, X-Hub-Signature-256. */
export async function deliver(
  url: string,
  secret: string,
  event: string,
  payload: unknown,
  options: { delivery?: string; signature?: string; body?: string } = {},
): Promise<{ status: number; body: string; delivery: string }> {
  const body = options.body ?? JSON.stringify(payload);
  const delivery = options.delivery ?? randomUUID();
  const response = await fetch(`${url}/hooks/github`, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      "user-agent": "GitHub-Hookshot/abc123",
      "x-github-event": event,
      "x-github-delivery": delivery,
      "x-hub-signature-256": options.signature ?? (await sign(secret, body)),
    },
    body,
  });
  return { status: response.status, body: await response.text(), delivery };
}
