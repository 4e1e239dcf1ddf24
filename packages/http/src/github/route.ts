/**
 * `POST /hooks/github`: verified (X-Hub-Signature-256), deduplicated (X-GitHub-Delivery and a digest of the signed
 * body, since the id header is not signed), routed by repository.
 * @module
 */
import {
  DeliveryLedger,
  digestKey,
  type HttpRequest,
  type HttpResponse,
  type HttpRoute,
  type RoomRef,
} from "@switchboard/core";
import type { GithubConfig, GithubEventKind } from "../config.js";
import { announce, forgetExpired, type SourceContext } from "../deliveries.js";
import { parseJson, reject } from "../responses.js";
import { verifyHmacSha256 } from "../signature.js";
import { type GithubMessage, githubEvents } from "./messages.js";

export const GITHUB_SOURCE = "github";

interface RepoRooms {
  rooms: RoomRef[];
  events: GithubEventKind[];
}

/** The most specific entry for `owner/name`: the exact name, then `owner/*`, then `*` (case-insensitive). */
export function roomsForRepo(repos: ReadonlyMap<string, RepoRooms>, fullName: string): RepoRooms | undefined {
  const name = fullName.toLowerCase();
  const owner = name.split("/", 1)[0];
  return repos.get(name) ?? repos.get(`${owner}/*`) ?? repos.get("*");
}

/**
 * The room that asked for a deployment the deploy plugin created, found through the deployment id the bot recorded
 * when it created it — never through a field of the payload, which anyone who can create a deployment controls.
 * The plugin's index (`deploy/github-deployments`, `<owner/name>#<id>`) names the job; the job's own audit entry
 * must record that same deployment, and its `admitted` entry gives the room.
 */
async function roomOfDeployment(
  context: SourceContext,
  deployment: { repository: string; id: number },
): Promise<RoomRef | undefined> {
  const repository = deployment.repository.toLowerCase();
  const indexed = await context.bot.store.get<{ job?: unknown }>(
    "deploy/github-deployments",
    `${repository}#${deployment.id}`,
  );
  if (typeof indexed?.job !== "string") return undefined;
  const records = await context.bot.auditLog.query({ jobId: indexed.job, event: "plugin", limit: 50 });
  const recorded = records.some((entry) => {
    const made = entry.detail?.githubDeployment as { id?: unknown; repository?: unknown } | undefined;
    return made?.id === deployment.id && String(made.repository).toLowerCase() === repository;
  });
  if (!recorded) return undefined;
  const [entry] = await context.bot.auditLog.query({ jobId: indexed.job, event: "admitted", limit: 1 });
  return entry?.network && entry.room ? { network: entry.network, room: entry.room } : undefined;
}

/** The GitHub webhook route. */
export function githubRoute(config: GithubConfig, context: SourceContext): HttpRoute {
  const repos = new Map(Object.entries(config.repos).map(([key, value]) => [key.toLowerCase(), value]));
  const ledger = new DeliveryLedger(context.store, "github-deliveries", config.dedupeFor);
  const count = (result: Parameters<SourceContext["count"]>[1]) => context.count(GITHUB_SOURCE, result);
  const log = context.logger.child({ source: GITHUB_SOURCE });

  async function handle(request: HttpRequest): Promise<HttpResponse> {
    const event = request.headers["x-github-event"];
    const delivery = request.headers["x-github-delivery"];
    if (!verifyHmacSha256(config.secret, request.rawBody, request.headers["x-hub-signature-256"])) {
      count("unauthorized");
      log.warn({ delivery: delivery?.slice(0, 64), ip: request.ip }, "refused a GitHub delivery: bad signature");
      return reject(401, "bad signature");
    }
    if (!event || !/^[a-z_]{1,64}$/.test(event) || !delivery || !/^[A-Za-z0-9-]{1,100}$/.test(delivery)) {
      count("invalid");
      return reject(400, "missing X-GitHub-Event or X-GitHub-Delivery");
    }
    // The delivery id header is not signed: a captured body sent again under a fresh id is caught by its digest.
    const keys = [delivery, digestKey(request.rawBody)];
    if (!(await ledger.claim(...keys))) {
      count("duplicate");
      log.warn({ delivery, event }, "refused a replayed GitHub delivery");
      return reject(409, "delivery already handled");
    }
    try {
      const response = await deliver(event, delivery, request);
      if (response.status < 500) await ledger.commit(...keys);
      else ledger.release(...keys);
      return response;
    } catch (error) {
      ledger.release(...keys);
      throw error;
    }
  }

  async function deliver(event: string, delivery: string, request: HttpRequest): Promise<HttpResponse> {
    const body = parseJson(request.rawBody);
    if (body === undefined) {
      count("invalid");
      return reject(400, "the body is not JSON");
    }
    if (event === "ping") {
      count("ignored");
      return { status: 200, body: { result: "pong" } };
    }
    const build = githubEvents.get(event);
    if (!build) {
      count("ignored");
      return { status: 200, body: { result: "ignored" } };
    }
    let message: GithubMessage;
    try {
      message = build(body);
    } catch {
      count("invalid");
      return reject(400, `not a ${event} payload`);
    }
    if ("ignored" in message) {
      count("ignored");
      return { status: 200, body: { result: "ignored" } };
    }
    const entry = roomsForRepo(repos, message.repo);
    if (!entry?.events.includes(message.kind)) {
      count("unrouted");
      return { status: 200, body: { result: "unrouted" } };
    }
    let rooms = entry.rooms;
    if (message.deployment) {
      const asked = await roomOfDeployment(context, message.deployment);
      if (asked) rooms = [asked];
    }
    if (message.state !== undefined) {
      const said = await context.store.get<{ state: string } | string>("github-ci", message.key);
      if ((typeof said === "string" ? said : said?.state) === message.state) {
        count("ignored");
        return { status: 200, body: { result: "ignored" } };
      }
    }
    try {
      const posted = await announce(context, {
        source: GITHUB_SOURCE,
        delivery,
        event,
        rooms,
        reply: message.blocks,
        key: `${message.repo.toLowerCase()}|${message.key}`,
        editWindowMs: config.dedupeFor,
        detail: { repository: message.repo },
      });
      if (message.state !== undefined) {
        const at = Date.now();
        await context.store.set("github-ci", message.key, { state: message.state, at, until: at + config.dedupeFor });
        await forgetExpired(context.store, "github-ci");
      }
      count("posted");
      log.info({ delivery, event, rooms: posted.posted.length }, "posted a GitHub delivery");
      return { status: 200, body: { result: "posted", rooms: posted.posted.length } };
    } catch (error) {
      count("failed");
      log.error({ err: error, delivery, event }, "could not post a GitHub delivery");
      return reject(500, "could not post");
    }
  }

  return { method: "POST", path: "/hooks/github", source: GITHUB_SOURCE, handler: handle };
}
