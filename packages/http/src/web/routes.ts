/**
 * The web view's routes on the fastify app: /web/job/<id>, its event stream, /web/audit, /web/approvals and the two
 * assets. Every page needs a valid link (`?t=`) for its kind and target, and the link's owner must still hold the
 * permission when the page is viewed; otherwise a plain 403 page. Registered only when `http.web` is configured.
 * @module
 */
import type { AuditEntry, AuditOutcome, Logger } from "@switchboard/core";
import { verifyChain } from "@switchboard/core/audit";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type { HttpBot } from "../bot-surface.js";
import type { RateLimit, WebConfig } from "../config.js";
import { ICON, LIVE_SCRIPT, STYLESHEET } from "./assets.js";
import { forbiddenPage, page, SECURITY_HEADERS } from "./html.js";
import { type LinkGrant, signLink, verifyLink } from "./link-token.js";
import { type AuditFilters, approvalsPage, auditPage, jobPage } from "./pages.js";
import { TranscriptBook } from "./transcripts.js";

/** Open event streams at most (each holds a connection); more get 503. */
export const MAX_STREAMS = 100;
/** Audit entries read per page view (the newest that match the link's filters), and shown. */
const AUDIT_SCAN = 2000;
const AUDIT_SHOWN = 200;
const HEARTBEAT_MS = 15_000;

/** Options for {@link registerWebRoutes}. */
export interface WebRoutesOptions {
  app: FastifyInstance;
  bot: HttpBot;
  config: WebConfig;
  rateLimit: RateLimit;
  logger: Logger;
  now?: () => number;
}

/** The web view as registered: call `close` when the server stops (withdraws the link maker, ends streams). */
export interface WebRoutes {
  close(): void;
}

type Query = Record<string, string | string[] | undefined>;
const first = (value: string | string[] | undefined) => (Array.isArray(value) ? value[0] : value);
const text = (value: string | string[] | undefined) => {
  const v = first(value)?.trim();
  return v ? v.slice(0, 200) : undefined;
};

function html(reply: FastifyReply, status: number, body: string): FastifyReply {
  return reply.code(status).headers(SECURITY_HEADERS).type("text/html; charset=utf-8").send(body);
}

/** `2026-12-07T03:00` (UTC, as a datetime-local input sends it) as ms, or undefined. */
function parseTime(value: string | undefined): number | undefined {
  if (!value) return undefined;
  const ms = Date.parse(/[zZ]|[+-]\d\d:\d\d$/.test(value) ? value : `${value}Z`);
  return Number.isNaN(ms) ? undefined : ms;
}

/** Registers the web view on `app` (before it listens) and provides the link maker to the bot. */
export function registerWebRoutes({
  app,
  bot,
  config,
  rateLimit,
  logger,
  now = Date.now,
}: WebRoutesOptions): WebRoutes {
  const { jobs, permits, webLinks } = bot;
  if (!jobs || !permits || !webLinks)
    throw new Error("http.web: this bot does not offer jobs, permits and webLinks (the web view needs core's Bot)");
  const may = (principal: string, permission: string) => permits.call(bot, principal, permission);
  const transcripts = new TranscriptBook(bot.events);
  const streams = new Set<() => void>();

  const sign = (request: Parameters<typeof signLink>[1], principal: string, expiresAt = now() + config.linkTtl) =>
    signLink(config.key, request, principal, expiresAt);
  const jobPath = (jobId: string) => `/web/job/${encodeURIComponent(jobId)}`;
  const pathOf = (request: Parameters<typeof signLink>[1]) =>
    request.kind === "job" ? jobPath(request.jobId) : request.kind === "audit" ? "/web/audit" : "/web/approvals";
  const withdraw = webLinks.provide(
    (request, principal) => `${config.publicUrl}${pathOf(request)}?t=${sign(request, principal)}`,
  );

  const routeConfig = {
    source: "web",
    counted: false,
    rateLimit: {
      max: rateLimit.max,
      timeWindow: rateLimit.window,
      keyGenerator: (request: FastifyRequest) => `web|${request.ip}`,
    },
  };

  /** The grant of the request's link for `kind`, or undefined after answering 403. */
  const grantFor = (request: FastifyRequest, reply: FastifyReply, kind: LinkGrant["request"]["kind"]) => {
    const verified = verifyLink(config.key, text((request.query as Query).t), now());
    if (!verified.ok || verified.grant.request.kind !== kind) {
      logger.info(
        { path: request.routeOptions.url, problem: verified.ok ? "wrong-kind" : verified.problem },
        "web link refused",
      );
      html(reply, 403, forbiddenPage());
      return undefined;
    }
    return verified.grant;
  };
  /** Whether the job's page may be read by `principal` now: `jobs:read`, and their own job or `audit:read`. */
  const mayReadJob = (principal: string, requester: string | undefined) =>
    may(principal, "jobs:read") && (requester === principal || may(principal, "audit:read"));
  const requesterOf = async (jobId: string): Promise<{ entries: AuditEntry[]; requester: string | undefined }> => {
    const entries = (await bot.auditLog.query({ jobId, limit: 500 })).reverse();
    const asked = entries.find((e) => e.event === "admitted" || e.event === "denied" || e.event === "received");
    return { entries, requester: jobs.get(jobId)?.actor.id ?? asked?.actor };
  };

  app.get("/web/assets/web.css", { config: routeConfig }, (_request, reply) =>
    reply
      .headers(SECURITY_HEADERS)
      .header("cache-control", "max-age=300")
      .type("text/css; charset=utf-8")
      .send(STYLESHEET),
  );
  app.get("/web/assets/icon.svg", { config: routeConfig }, (_request, reply) =>
    reply.headers(SECURITY_HEADERS).header("cache-control", "max-age=300").type("image/svg+xml").send(ICON),
  );
  app.get("/web/assets/live.js", { config: routeConfig }, (_request, reply) =>
    reply
      .headers(SECURITY_HEADERS)
      .header("cache-control", "max-age=300")
      .type("text/javascript; charset=utf-8")
      .send(LIVE_SCRIPT),
  );

  app.get("/web/job/:id", { config: routeConfig }, async (request, reply) => {
    const jobId = (request.params as { id: string }).id;
    const grant = grantFor(request, reply, "job");
    if (!grant) return reply;
    if (grant.request.kind !== "job" || grant.request.jobId !== jobId) return html(reply, 403, forbiddenPage());
    const { entries, requester } = await requesterOf(jobId);
    if (!mayReadJob(grant.principal, requester)) return html(reply, 403, forbiddenPage());
    const live = jobs.get(jobId);
    const transcript = transcripts.get(jobId);
    if (entries.length === 0 && !live && !transcript)
      return html(reply, 404, page("Not found", `<p>No job ${jobId.replace(/[^a-z0-9]/gi, "")} in the audit log.</p>`));
    const finished =
      transcript?.outcome !== undefined || entries.some((e) => e.event === "outcome" || e.event === "denied");
    const token = text((request.query as Query).t)!;
    const eventsHref = finished
      ? undefined
      : `${jobPath(jobId)}/events?t=${token}&from=${transcript?.lines.length ?? 0}`;
    return html(reply, 200, jobPage({ jobId, entries, live, transcript, ...(eventsHref ? { eventsHref } : {}) }));
  });

  app.get("/web/job/:id/events", { config: routeConfig }, async (request, reply) => {
    const jobId = (request.params as { id: string }).id;
    const grant = grantFor(request, reply, "job");
    if (!grant) return reply;
    if (grant.request.kind !== "job" || grant.request.jobId !== jobId) return html(reply, 403, forbiddenPage());
    const { requester } = await requesterOf(jobId);
    const allowed = () => mayReadJob(grant.principal, requester) && now() < grant.expiresAt;
    if (!allowed()) return html(reply, 403, forbiddenPage());
    if (streams.size >= MAX_STREAMS)
      return reply.code(503).type("text/plain; charset=utf-8").send("too many streams\n");
    const from = Math.max(0, Number.parseInt(text((request.query as Query).from) ?? "0", 10) || 0);
    reply.hijack();
    const raw = reply.raw;
    raw.writeHead(200, {
      ...SECURITY_HEADERS,
      "content-type": "text/event-stream; charset=utf-8",
      "x-accel-buffering": "no",
    });
    request.raw.socket.setTimeout(0);
    let ended = false;
    const end = () => {
      if (ended) return;
      ended = true;
      unfollow();
      clearInterval(heartbeat);
      clearTimeout(expiry);
      streams.delete(end);
      raw.end();
    };
    const write = (event: string) => {
      if (!allowed()) return end();
      raw.write(event);
    };
    const sendEnd = (outcome: string) => {
      write(`event: end\ndata: ${JSON.stringify(outcome)}\n\n`);
      end();
    };
    const unfollow = transcripts.follow(jobId, (event) => {
      if ("outcome" in event) sendEnd(event.outcome);
      else write(`id: ${event.index}\ndata: ${JSON.stringify(event.line)}\n\n`);
    });
    const heartbeat = setInterval(() => write(": still here\n\n"), HEARTBEAT_MS);
    const expiry = setTimeout(end, Math.max(0, grant.expiresAt - now()));
    streams.add(end);
    request.raw.on("close", end);
    raw.write("retry: 5000\n\n");
    const transcript = transcripts.get(jobId);
    for (const [index, line] of (transcript?.lines ?? []).entries())
      if (index >= from) write(`id: ${index}\ndata: ${JSON.stringify(line)}\n\n`);
    if (transcript?.outcome !== undefined) sendEnd(transcript.outcome);
    else if (!jobs.get(jobId)) {
      const ended = (await bot.auditLog.query({ jobId, event: "outcome", limit: 1 }))[0];
      if (ended) sendEnd(ended.outcome ?? "finished");
    }
    return reply;
  });

  app.get("/web/audit", { config: routeConfig }, async (request, reply) => {
    const grant = grantFor(request, reply, "audit");
    if (grant?.request.kind !== "audit") return reply;
    if (!may(grant.principal, "audit:read")) return html(reply, 403, forbiddenPage());
    const query = request.query as Query;
    const signed = grant.request.filters;
    const shown: AuditFilters = {};
    for (const key of ["person", "command", "outcome", "job", "from", "to"] as const) {
      const value = text(query[key]);
      if (value !== undefined) shown[key] = value;
    }
    const from = parseTime(shown.from);
    const to = parseTime(shown.to);
    const scanned = await bot.auditLog.query({
      limit: AUDIT_SCAN,
      ...(signed.actor ? { actor: signed.actor } : {}),
      ...(signed.command ? { command: signed.command } : {}),
      ...(signed.outcome ? { outcome: signed.outcome as AuditOutcome } : {}),
      ...(signed.jobId ? { jobId: signed.jobId } : {}),
    });
    const matching = scanned.filter((e) => {
      const time = Date.parse(e.time);
      return (
        (shown.person === undefined || e.actor === shown.person) &&
        (shown.command === undefined || e.command === shown.command) &&
        (shown.outcome === undefined || e.outcome === shown.outcome) &&
        (shown.job === undefined || e.jobId === shown.job) &&
        (from === undefined || time >= from) &&
        (to === undefined || time <= to)
      );
    });
    const verification = await verifyChain(bot.auditLog.entries());
    const token = text(query.t)!;
    return html(
      reply,
      200,
      auditPage({
        token,
        entries: matching.slice(0, AUDIT_SHOWN),
        shown,
        signed: {
          ...(signed.actor ? { person: signed.actor } : {}),
          ...(signed.command ? { command: signed.command } : {}),
          ...(signed.outcome ? { outcome: signed.outcome } : {}),
          ...(signed.jobId ? { job: signed.jobId } : {}),
        },
        verification,
        truncated: matching.length > AUDIT_SHOWN,
        jobHref: (jobId) => `${jobPath(jobId)}?t=${sign({ kind: "job", jobId }, grant.principal, grant.expiresAt)}`,
      }),
    );
  });

  app.get("/web/approvals", { config: routeConfig }, async (request, reply) => {
    const grant = grantFor(request, reply, "approvals");
    if (!grant) return reply;
    if (!may(grant.principal, "jobs:read")) return html(reply, 403, forbiddenPage());
    const waiting = jobs.list().filter((job) => job.state === "awaiting-approval");
    const jobHref = (jobId: string) =>
      `${jobPath(jobId)}?t=${sign({ kind: "job", jobId }, grant.principal, grant.expiresAt)}`;
    return html(reply, 200, approvalsPage(waiting, jobHref));
  });

  return {
    close() {
      withdraw();
      for (const end of [...streams]) end();
      transcripts.close();
    },
  };
}
