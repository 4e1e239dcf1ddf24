/**
 * A small local HTTP server that speaks the GitHub REST endpoints the plugin uses, with their documented request
 * and response shapes, so the real Octokit can be pointed at it (`baseUrl`):
 *
 * - `GET /repos/{owner}/{repo}/commits/{ref}` → `{ sha, … }` (404 `{ message: "No commit found for SHA: …" }`)
 * - `GET /repos/{owner}/{repo}/branches/{branch}` → `{ name, commit: { sha, … }, protected }` (404 for no branch)
 * - `GET /repos/{owner}/{repo}/commits/{ref}/status` → `{ state, sha, total_count, statuses: [{ context, state,
 *   creator: { login }, … }] }`
 * - `GET /repos/{owner}/{repo}/commits/{ref}/check-runs` → `{ total_count, check_runs: [{ id, name, status,
 *   conclusion, app: { id, slug, … }, … }] }`
 * - `POST /repos/{owner}/{repo}/deployments` → 201 with the deployment `{ id, sha, ref, environment, task, payload, … }`
 * - `GET /repos/{owner}/{repo}/deployments/{id}/statuses` → `[{ id, state, description, log_url, … }]`, newest first
 *
 * With {@link FakeGitHub.webhook} set, every deployment status it creates is also delivered as GitHub delivers
 * webhooks: `POST` of a `deployment_status` event (`action: created`, the status, the deployment with its payload,
 * the repository) with `X-GitHub-Event`, a fresh `X-GitHub-Delivery` and `X-Hub-Signature-256: sha256=<HMAC-SHA256 of
 * the body with the secret>`, one at a time in the order the statuses were created.
 */
import { createHmac, randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

/** A commit status (`context` + `state`). */
export interface FakeStatus {
  context: string;
  state: "success" | "pending" | "failure" | "error";
  description?: string;
  /** The login that created it (default `ci-bot`; a GitHub App posts as `<slug>[bot]`). */
  creator?: string;
}

/** A GitHub App as check runs name it. */
export interface FakeApp {
  id: number;
  slug: string;
}

/** GitHub Actions, the app that reports most check runs (its real id and slug). */
export const GITHUB_ACTIONS: FakeApp = { id: 15368, slug: "github-actions" };

/** A check run. */
export interface FakeCheckRun {
  name: string;
  status: "queued" | "in_progress" | "completed";
  conclusion?: "success" | "failure" | "neutral" | "cancelled" | "skipped" | "timed_out" | null;
  /** The app that reported it (default GitHub Actions). */
  app?: FakeApp;
}

/** A deployment status to reveal. */
export interface FakeDeploymentStatus {
  state: "queued" | "in_progress" | "success" | "failure" | "error" | "inactive" | "pending";
  description?: string;
  log_url?: string;
}

/** A recorded request. */
export interface RecordedRequest {
  method: string;
  path: string;
  authorization: string | undefined;
  body: unknown;
}

/** A created deployment. */
export interface FakeDeployment {
  id: number;
  repository: string;
  body: Record<string, unknown>;
  /** Statuses revealed so far (one more per read of the statuses, from the plan). */
  statuses: Array<FakeDeploymentStatus & { id: number }>;
  plan: FakeDeploymentStatus[];
  /** Who created it (`switchboard` for deployments made through the REST endpoint). */
  creator?: string;
  /** The ref name, for deployments made with {@link FakeGitHub.createDeployment}. */
  refName?: string;
}

/** Where the fake delivers webhooks, and the answers it got. */
export interface FakeWebhook {
  url: string;
  secret: string;
  /** HTTP status of each delivery, in order. */
  responses: number[];
}

/** The fake GitHub. */
export class FakeGitHub {
  /** Set to deliver `deployment_status` webhooks (signed with `secret`) to `url`. */
  webhook: FakeWebhook | undefined;
  #deliveries: Promise<void> = Promise.resolve();
  /** `owner/repo` → ref → sha. */
  readonly refs = new Map<string, Map<string, string>>();
  /** `owner/repo` → tag → sha; `commits/{ref}` finds tags as well as branches, `branches/{branch}` only branches. */
  readonly tags = new Map<string, Map<string, string>>();
  readonly statuses = new Map<string, FakeStatus[]>();
  readonly checkRuns = new Map<string, FakeCheckRun[]>();
  readonly deployments: FakeDeployment[] = [];
  readonly requests: RecordedRequest[] = [];
  /** The statuses a new deployment will go through, revealed one per read. */
  deploymentPlan: FakeDeploymentStatus[] = [
    { state: "queued" },
    { state: "in_progress", description: "deploying", log_url: "https://ci.example.org/log/1" },
    { state: "success", description: "deployed" },
  ];
  #server: Server | undefined;
  #nextId = 1000;

  /** Points a ref of a repository at a sha. */
  setRef(repository: string, ref: string, sha: string): void {
    let refs = this.refs.get(repository);
    if (!refs) {
      refs = new Map();
      this.refs.set(repository, refs);
    }
    refs.set(ref, sha);
  }

  /** Points a tag of a repository at a sha. */
  setTag(repository: string, tag: string, sha: string): void {
    let tags = this.tags.get(repository);
    if (!tags) {
      tags = new Map();
      this.tags.set(repository, tags);
    }
    tags.set(tag, sha);
  }

  /** Starts listening on 127.0.0.1; resolves with the base URL. */
  async start(): Promise<string> {
    this.#server = createServer((req, res) => void this.#handle(req, res));
    await new Promise<void>((resolve) => this.#server!.listen(0, "127.0.0.1", resolve));
    const { port } = this.#server.address() as AddressInfo;
    return `http://127.0.0.1:${port}/api/v3`;
  }

  /**
   * Creates a deployment as someone outside the bot would (a person's token, another tool): the same record the
   * REST endpoint makes, with `payload` as given.
   */
  createDeployment(
    repository: string,
    body: { sha: string; ref: string; environment: string; payload?: Record<string, unknown>; creator?: string },
  ): FakeDeployment {
    const id = this.#nextId++;
    const deployment: FakeDeployment = {
      id,
      repository,
      body: { ref: body.sha, environment: body.environment, task: "deploy", payload: body.payload ?? {} },
      statuses: [],
      plan: [],
      creator: body.creator ?? "someone",
      refName: body.ref,
    };
    this.deployments.push(deployment);
    return deployment;
  }

  /** Adds a status to a deployment (and delivers its webhook); resolves once the delivery was answered. */
  async addStatus(deployment: FakeDeployment, status: FakeDeploymentStatus): Promise<void> {
    this.#reveal(deployment, status);
    await this.delivered();
  }

  /** Resolves once every webhook queued so far was delivered and answered. */
  delivered(): Promise<void> {
    return this.#deliveries;
  }

  #reveal(deployment: FakeDeployment, status: FakeDeploymentStatus): void {
    const created = { ...status, id: deployment.statuses.length + 1 };
    deployment.statuses.push(created);
    const hook = this.webhook;
    if (!hook) return;
    const [owner] = deployment.repository.split("/");
    const body = JSON.stringify({
      action: "created",
      deployment_status: {
        id: deployment.id * 100 + created.id,
        state: created.state,
        description: created.description ?? "",
        environment: deployment.body.environment,
        log_url: created.log_url ?? "",
        target_url: created.log_url ?? "",
        creator: { login: "ci-bot" },
      },
      deployment: {
        id: deployment.id,
        sha: deployment.body.ref,
        ref: deployment.refName ?? deployment.body.ref,
        task: deployment.body.task,
        payload: deployment.body.payload ?? {},
        environment: deployment.body.environment,
        description: deployment.body.description ?? null,
        creator: { login: deployment.creator ?? "switchboard" },
      },
      repository: {
        full_name: deployment.repository,
        html_url: `https://github.com/${deployment.repository}`,
        owner: { login: owner },
      },
      sender: { login: "ci-bot" },
    });
    const signature = `sha256=${createHmac("sha256", hook.secret).update(body).digest("hex")}`;
    this.#deliveries = this.#deliveries.then(async () => {
      const response = await fetch(hook.url, {
        method: "POST",
        headers: {
          "content-type": "application/json",
          "user-agent": "GitHub-Hookshot/fake",
          "x-github-event": "deployment_status",
          "x-github-delivery": randomUUID(),
          "x-hub-signature-256": signature,
        },
        body,
      }).catch(() => undefined);
      hook.responses.push(response?.status ?? 0);
      await response?.text();
    });
  }

  async close(): Promise<void> {
    await new Promise<void>((resolve) => this.#server?.close(() => resolve()) ?? resolve());
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    let raw = "";
    for await (const chunk of req) raw += chunk;
    const url = new URL(req.url ?? "/", "http://x");
    const path = url.pathname.replace(/^\/api\/v3/, "");
    const body = raw ? JSON.parse(raw) : undefined;
    this.requests.push({ method: req.method ?? "", path, authorization: req.headers.authorization, body });
    const send = (status: number, data: unknown) => {
      res.writeHead(status, { "content-type": "application/json; charset=utf-8" });
      res.end(JSON.stringify(data));
    };
    const match = /^\/repos\/([^/]+)\/([^/]+)\/(.+)$/.exec(path);
    if (!match) return send(404, { message: "Not Found" });
    const repository = `${match[1]}/${match[2]}`;
    const rest = match[3]!;
    const base = `http://127.0.0.1/repos/${repository}`;

    let m = /^commits\/([^/]+)\/(status|check-runs)$/.exec(rest);
    if (m && req.method === "GET") {
      const sha = this.#sha(repository, decodeURIComponent(m[1]!));
      if (!sha) return send(404, { message: `No commit found for SHA: ${m[1]}` });
      if (m[2] === "status") {
        const statuses = this.statuses.get(sha) ?? [];
        const state = statuses.some((s) => s.state === "failure" || s.state === "error")
          ? "failure"
          : statuses.length === 0 || statuses.some((s) => s.state === "pending")
            ? "pending"
            : "success";
        return send(200, {
          state,
          sha,
          total_count: statuses.length,
          statuses: statuses.map((s, i) => ({
            id: i + 1,
            context: s.context,
            state: s.state,
            description: s.description ?? null,
            target_url: `https://ci.example.org/${s.context}`,
            creator: { login: s.creator ?? "ci-bot", id: 1, type: s.creator?.endsWith("[bot]") ? "Bot" : "User" },
            created_at: "2025-01-01T00:00:00Z",
            updated_at: "2025-01-01T00:00:00Z",
          })),
          repository: { full_name: repository },
          commit_url: `${base}/commits/${sha}`,
          url: `${base}/commits/${sha}/status`,
        });
      }
      const runs = this.checkRuns.get(sha) ?? [];
      return send(200, {
        total_count: runs.length,
        check_runs: runs.map((r, i) => ({
          id: i + 1,
          head_sha: sha,
          name: r.name,
          status: r.status,
          conclusion: r.status === "completed" ? (r.conclusion ?? "success") : null,
          html_url: `https://github.example.org/${repository}/runs/${i + 1}`,
          app: { ...(r.app ?? GITHUB_ACTIONS), name: (r.app ?? GITHUB_ACTIONS).slug, owner: { login: "github" } },
          output: { title: `${r.name} ${r.status}`, summary: null },
        })),
      });
    }
    m = /^branches\/([^/]+)$/.exec(rest);
    if (m && req.method === "GET") {
      const branch = decodeURIComponent(m[1]!);
      const sha = this.refs.get(repository)?.get(branch);
      if (!sha) return send(404, { message: "Branch not found" });
      return send(200, { name: branch, commit: { sha, url: `${base}/commits/${sha}` }, protected: false });
    }
    m = /^commits\/([^/]+)$/.exec(rest);
    if (m && req.method === "GET") {
      const sha = this.#sha(repository, decodeURIComponent(m[1]!));
      if (!sha) return send(422, { message: `No commit found for SHA: ${decodeURIComponent(m[1]!)}` });
      return send(200, { sha, url: `${base}/commits/${sha}`, commit: { message: "x" } });
    }
    if (rest === "deployments" && req.method === "POST") {
      const id = this.#nextId++;
      const deployment: FakeDeployment = { id, repository, body, statuses: [], plan: [...this.deploymentPlan] };
      this.deployments.push(deployment);
      return send(201, {
        id,
        url: `${base}/deployments/${id}`,
        sha: body.ref,
        ref: body.ref,
        task: body.task,
        payload: body.payload,
        environment: body.environment,
        description: body.description,
        creator: { login: "switchboard" },
        created_at: "2025-01-01T00:00:00Z",
        updated_at: "2025-01-01T00:00:00Z",
        statuses_url: `${base}/deployments/${id}/statuses`,
        repository_url: base,
      });
    }
    m = /^deployments\/(\d+)\/statuses$/.exec(rest);
    if (m && req.method === "GET") {
      const deployment = this.deployments.find((d) => d.id === Number(m![1]));
      if (!deployment) return send(404, { message: "Not Found" });
      const next = deployment.plan.shift();
      if (next) this.#reveal(deployment, next);
      return send(
        200,
        [...deployment.statuses].reverse().map((s) => ({
          id: s.id,
          state: s.state,
          description: s.description ?? "",
          log_url: s.log_url ?? "",
          target_url: s.log_url ?? "",
          environment: deployment.body.environment,
          created_at: "2025-01-01T00:00:00Z",
          updated_at: "2025-01-01T00:00:00Z",
          deployment_url: `${base}/deployments/${deployment.id}`,
          repository_url: base,
        })),
      );
    }
    return send(404, { message: "Not Found" });
  }

  #sha(repository: string, ref: string): string | undefined {
    if (/^[0-9a-f]{40}$/.test(ref)) return ref;
    return this.refs.get(repository)?.get(ref) ?? this.tags.get(repository)?.get(ref);
  }
}
