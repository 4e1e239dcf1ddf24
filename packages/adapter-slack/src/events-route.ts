/**
 * Events API mode: one HTTP route (default `POST /slack/events`, registered through core and served by the bot's
 * HTTP endpoint) takes events, slash commands and button clicks. Every request must carry a valid signature over
 * its raw body, made within the last five minutes; `url_verification` is answered; the answer is sent at once and
 * the work done afterwards, so Slack does not retry. Retries it sends anyway (`X-Slack-Retry-Num`) have the same
 * `event_id` and are dropped by the ledger.
 * @module
 */
import type { HttpRequest, HttpResponse, HttpRoute, Logger } from "@switchboard/core";
import { type Delivery, obj } from "./payloads.js";
import { checkSignature } from "./signature.js";

/** What the route needs. */
export interface EventsRouteDeps {
  path: string;
  signingSecret: string;
  logger: Logger;
  onDelivery(delivery: Delivery): void;
}

/** Largest body accepted (Slack's payloads are far smaller). */
const bodyLimit = 1_000_000;

function parseJson(text: string): Record<string, unknown> | undefined {
  try {
    return obj(JSON.parse(text));
  } catch {
    return undefined;
  }
}

/** The Events API route. */
export function eventsRoute(deps: EventsRouteDeps): HttpRoute {
  return {
    method: "POST",
    path: deps.path,
    bodyLimit,
    handler: (request) => handle(deps, request),
  };
}

function handle(deps: EventsRouteDeps, request: HttpRequest): HttpResponse {
  const refused = checkSignature(deps.signingSecret, request.headers, request.rawBody);
  if (refused) {
    deps.logger.warn({ ip: request.ip, reason: refused }, "refused a request to the Slack events route");
    return { status: 401, body: { error: "invalid request signature" } };
  }
  const retryHeader = request.headers["x-slack-retry-num"];
  const retry = retryHeader && /^\d+$/.test(retryHeader) ? Number(retryHeader) : undefined;
  const type = (request.headers["content-type"] ?? "").split(";")[0]!.trim().toLowerCase();
  const raw = request.rawBody.toString("utf8");
  if (type === "application/json") {
    const body = parseJson(raw);
    if (!body) return { status: 400, body: { error: "bad JSON" } };
    if (body.type === "url_verification") return { status: 200, body: { challenge: String(body.challenge ?? "") } };
    if (body.type === "event_callback") deps.onDelivery({ kind: "events_api", body, keys: [], retry });
    return { status: 200, body: "" };
  }
  if (type === "application/x-www-form-urlencoded") {
    const form = new URLSearchParams(raw);
    const payload = form.get("payload");
    if (payload !== null) {
      const body = parseJson(payload);
      if (!body) return { status: 400, body: { error: "bad payload" } };
      deps.onDelivery({ kind: "interactive", body, keys: [], retry });
      return { status: 200, body: "" };
    }
    if (form.has("command")) {
      const body: Record<string, unknown> = {};
      for (const [key, value] of form) Object.defineProperty(body, key, { value, enumerable: true });
      deps.onDelivery({ kind: "slash_commands", body, keys: [], retry });
      return { status: 200, body: "" };
    }
  }
  return { status: 400, body: { error: "not a Slack event, command or interaction" } };
}
