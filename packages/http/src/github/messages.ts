/**
 * GitHub events → messages in the output model (a status line, facts, a link), one per thing people care about:
 * a commit's CI suite, a deployment, a merged pull request, a push to the default branch.
 * @module
 */
import { type Block, out, type StatusLevel } from "@switchboard/core";
import type { z } from "zod";
import type { GithubEventKind } from "../config.js";
import { firstLine, httpUrl, oneLine } from "../text.js";
import {
  checkRunEventSchema,
  checkSuiteEventSchema,
  deploymentStatusEventSchema,
  pullRequestEventSchema,
  pushEventSchema,
  statusEventSchema,
} from "./payloads.js";

/** What one event amounts to. */
export type GithubMessage =
  | {
      kind: GithubEventKind;
      repo: string;
      /** Same key later (a re-run suite, the next deployment state): edit the earlier message. */
      key: string;
      /** For CI: the state announced, so the same result is not announced twice. */
      state?: string;
      blocks: Block[];
      /**
       * For deployments: which one (GitHub's id and the repository), so the route can find the job that created it
       * in the bot's own records. Nothing of the deployment's payload is trusted.
       */
      deployment?: { repository: string; id: number };
    }
  | { ignored: string };

const short = (sha: string) => sha.slice(0, 7);

const CONCLUSION_LEVEL: Record<string, StatusLevel> = {
  success: "ok",
  failure: "fail",
  timed_out: "fail",
  startup_failure: "fail",
  error: "fail",
  cancelled: "warn",
  action_required: "warn",
  stale: "warn",
  neutral: "info",
  skipped: "info",
};
const levelOf = (state: string): StatusLevel => CONCLUSION_LEVEL[state] ?? "info";

function commitLink(htmlUrl: string, sha: string, suffix = ""): Block[] {
  const url = httpUrl(`${htmlUrl}/commit/${sha}${suffix}`);
  return url ? [out.link(url, `${short(sha)} on GitHub`)] : [];
}

function ciMessage(
  repo: z.output<typeof checkSuiteEventSchema>["repository"],
  sha: string,
  branch: string | null | undefined,
  suiteKey: string,
  name: string,
  conclusion: string,
  extra: { message?: string | null | undefined; url?: string | null | undefined } = {},
): GithubMessage {
  const where = branch ? `${oneLine(branch, 80)} (${short(sha)})` : short(sha);
  const blocks: Block[] = [
    out.status(levelOf(conclusion), `${repo.full_name}: ${oneLine(name, 60)} ${conclusion} on ${where}`),
  ];
  if (extra.message) blocks.push(out.facts([["commit", firstLine(extra.message)]]));
  const url = httpUrl(extra.url);
  blocks.push(...(url ? [out.link(url, "details")] : commitLink(repo.html_url, sha, "/checks")));
  return { kind: "ci", repo: repo.full_name, key: `ci|${sha}|${suiteKey}`, state: conclusion, blocks };
}

export function checkSuiteMessage(body: unknown): GithubMessage {
  const event = checkSuiteEventSchema.parse(body);
  const suite = event.check_suite;
  if (event.action !== "completed" || !suite.conclusion) return { ignored: `check_suite ${event.action}` };
  return ciMessage(
    event.repository,
    suite.head_sha,
    suite.head_branch,
    `suite:${suite.id}`,
    suite.app?.name ?? "checks",
    suite.conclusion,
    { message: suite.head_commit?.message },
  );
}

/** A check run speaks for its suite only once the whole suite has concluded (one message per suite, not per check). */
export function checkRunMessage(body: unknown): GithubMessage {
  const event = checkRunEventSchema.parse(body);
  const suite = event.check_run.check_suite;
  if (event.action !== "completed") return { ignored: `check_run ${event.action}` };
  if (!suite.conclusion || (suite.status && suite.status !== "completed"))
    return { ignored: "check_run completed; its suite is still running" };
  return ciMessage(
    event.repository,
    event.check_run.head_sha,
    suite.head_branch,
    `suite:${suite.id}`,
    suite.app?.name ?? event.check_run.app?.name ?? "checks",
    suite.conclusion,
  );
}

/** Commit statuses (older CI integrations): one message per commit and context once the state is final. */
export function statusMessage(body: unknown): GithubMessage {
  const event = statusEventSchema.parse(body);
  if (event.state === "pending") return { ignored: "status pending" };
  const branch = event.branches.length === 1 ? event.branches[0]!.name : undefined;
  return ciMessage(
    event.repository,
    event.sha,
    branch,
    `status:${oneLine(event.context, 100)}`,
    event.context,
    event.state,
    { message: event.commit?.commit?.message, url: event.target_url },
  );
}

const DEPLOY_LEVEL: Record<string, StatusLevel> = {
  success: "ok",
  failure: "fail",
  error: "fail",
  inactive: "info",
  queued: "info",
  pending: "info",
  in_progress: "info",
};

/**
 * A deployment status: one message per deployment (keyed by its id, so later states edit it). Which room it goes to
 * is the route's business: the asking room when the bot created the deployment, else the repository's rooms.
 */
export function deploymentStatusMessage(body: unknown): GithubMessage {
  const event = deploymentStatusEventSchema.parse(body);
  const { deployment, deployment_status: status, repository } = event;
  const environment = oneLine(status.environment ?? deployment.environment, 60);
  const who = deployment.creator?.login ? ` by ${oneLine(deployment.creator.login, 40)}` : "";
  const blocks: Block[] = [
    out.status(
      DEPLOY_LEVEL[status.state] ?? "info",
      `${repository.full_name}: deploy of ${oneLine(deployment.ref, 80)} (${short(deployment.sha)}) to ${environment}${who}: ${oneLine(status.state, 20)}`,
    ),
  ];
  if (status.description) blocks.push(out.facts([["status", oneLine(status.description, 200)]]));
  const url = httpUrl(status.log_url) ?? httpUrl(status.target_url);
  if (url) blocks.push(out.link(url, "log"));
  const site = httpUrl(status.environment_url);
  if (site) blocks.push(out.link(site, environment));
  return {
    kind: "deployment",
    repo: repository.full_name,
    key: `deployment|${deployment.id}`,
    blocks,
    deployment: { repository: repository.full_name, id: deployment.id },
  };
}

export function pullRequestMessage(body: unknown): GithubMessage {
  const event = pullRequestEventSchema.parse(body);
  const pr = event.pull_request;
  if (event.action !== "closed" || !pr.merged) return { ignored: `pull_request ${event.action}` };
  const by = pr.merged_by?.login ?? pr.user?.login;
  const blocks: Block[] = [
    out.status(
      "ok",
      `${event.repository.full_name}: #${pr.number} merged into ${oneLine(pr.base.ref, 80)}${by ? ` by ${oneLine(by, 40)}` : ""}: ${oneLine(pr.title, 140)}`,
    ),
  ];
  const url = httpUrl(pr.html_url);
  if (url) blocks.push(out.link(url, `#${pr.number}`));
  return { kind: "merged", repo: event.repository.full_name, key: `pr|${pr.number}`, blocks };
}

export function pushMessage(body: unknown): GithubMessage {
  const event = pushEventSchema.parse(body);
  const { repository } = event;
  const branch = event.ref.replace(/^refs\/heads\//, "");
  if (!event.ref.startsWith("refs/heads/") || !repository.default_branch || branch !== repository.default_branch)
    return { ignored: "push to another branch than the default" };
  if (event.deleted) return { ignored: "push deleted the branch" };
  const count = event.commits.length;
  const who = event.pusher?.name ?? event.sender?.login;
  const blocks: Block[] = [
    out.status(
      event.forced ? "warn" : "info",
      `${repository.full_name}: ${who ? `${oneLine(who, 40)} pushed` : "push:"} ${count} commit${count === 1 ? "" : "s"} to ${oneLine(branch, 80)}${event.forced ? " (forced)" : ""}`,
    ),
  ];
  if (event.head_commit)
    blocks.push(out.facts([["head", `${short(event.head_commit.id)} ${firstLine(event.head_commit.message)}`]]));
  const url = httpUrl(event.compare);
  if (url) blocks.push(out.link(url, "compare"));
  return { kind: "push", repo: repository.full_name, key: `push|${event.after}`, blocks };
}

/** The message builder for each `X-GitHub-Event` the bot announces. */
export const githubEvents: ReadonlyMap<string, (body: unknown) => GithubMessage> = new Map([
  ["check_suite", checkSuiteMessage],
  ["check_run", checkRunMessage],
  ["status", statusMessage],
  ["deployment_status", deploymentStatusMessage],
  ["pull_request", pullRequestMessage],
  ["push", pushMessage],
]);
