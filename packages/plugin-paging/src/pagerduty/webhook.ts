/**
 * The PagerDuty v3 webhook route: verifies `X-PagerDuty-Signature` over the raw body, ignores replays (an event id
 * or the same signed bytes seen before — core's delivery ledger, as the HTTP endpoint's sources use —, an event older
 * than `maxAge`, an event older than the last one applied to its incident), and posts incident events into the rooms
 * their service maps to, audited in core's webhook record shape.
 * @module
 */
import {
  DeliveryLedger,
  digestKey,
  type HttpResponse,
  type HttpRoute,
  type Logger,
  type PluginAuditRecord,
  type RoomRef,
  type Store,
  webhookAuditRecord,
} from "@switchboard/core";
import type { IncidentAnnouncer } from "../announcer.js";
import type { PagingConfig, WebhookConfig } from "../config.js";
import type { Incident, IncidentStatus } from "../model.js";
import { flatTitle, pagerDutyUrl } from "../names.js";
import { incidentCard, incidentTitle } from "../render.js";
import { verifySignature } from "./signature.js";
import { hasValidId, type PdReference, personOf } from "./types.js";

const SEEN = "webhook-events";
const LATEST = "webhook-incidents";

/** The incident events that change an incident message, and what they mean. */
const EVENTS: Record<string, string> = {
  "incident.triggered": "triggered",
  "incident.acknowledged": "acknowledged",
  "incident.unacknowledged": "unacknowledged",
  "incident.reassigned": "reassigned",
  "incident.escalated": "escalated",
  "incident.reopened": "reopened",
  "incident.resolved": "resolved",
};

interface WebhookIncident {
  id: string;
  number?: number;
  title?: string;
  status?: IncidentStatus;
  html_url?: string;
  created_at?: string;
  service?: PdReference;
  assignees?: PdReference[];
}

interface WebhookEvent {
  id?: string;
  event_type?: string;
  resource_type?: string;
  occurred_at?: string;
  agent?: PdReference | null;
  data?: WebhookIncident;
}

/** What the route needs from the plugin. */
export interface WebhookDeps {
  config: PagingConfig;
  webhook: WebhookConfig;
  store: Store;
  announcer: IncidentAnnouncer;
  audit(record: PluginAuditRecord): Promise<void>;
  logger: Logger;
}

const json = (status: number, body: Record<string, unknown>): HttpResponse => ({ status, body });

/** The rooms of an incident's service (by PagerDuty service id), else the plugin's rooms. */
function roomsFor(config: PagingConfig, serviceId: string | undefined): RoomRef[] {
  for (const service of Object.values(config.pagerduty?.services ?? {}))
    if (serviceId !== undefined && service.id === serviceId && service.rooms?.length) return service.rooms;
  return config.rooms;
}

function incidentOfEvent(data: WebhookIncident): Incident {
  const incident: Incident = {
    id: data.id,
    title: flatTitle(data.title),
    status: data.status ?? "triggered",
    service: {
      id: data.service?.id,
      name: flatTitle(data.service?.summary ?? data.service?.id, 100, "unknown service"),
    },
    assignees: (data.assignees ?? []).map(personOf),
    createdAt: new Date(data.created_at ?? Date.now()),
  };
  if (data.number !== undefined) incident.number = data.number;
  const url = pagerDutyUrl(data.html_url);
  if (url) incident.url = url;
  return incident;
}

/** The route for `webhook.path`. */
export function pagerDutyWebhookRoute(deps: WebhookDeps): HttpRoute {
  const { config, webhook, store, announcer, logger } = deps;
  // Older events are refused by age anyway: twice `maxAge` is long enough to remember an id.
  const ledger = new DeliveryLedger(store, SEEN, 2 * webhook.maxAge);
  return {
    method: "POST",
    path: webhook.path,
    source: "plugin paging",
    bodyLimit: 512 * 1024,
    async handler(request) {
      if (!verifySignature(request.rawBody, request.headers["x-pagerduty-signature"], webhook.secrets)) {
        logger.warn({ ip: request.ip }, "PagerDuty webhook with a bad or missing signature refused");
        return json(401, { error: "bad signature" });
      }
      let event: WebhookEvent | undefined;
      try {
        event = (JSON.parse(request.rawBody.toString("utf8")) as { event?: WebhookEvent }).event;
      } catch {
        return json(400, { error: "body is not JSON" });
      }
      if (!event?.id || !event.event_type || !event.occurred_at) return json(400, { error: "not a v3 webhook event" });
      const what = Object.hasOwn(EVENTS, event.event_type) ? EVENTS[event.event_type] : undefined;
      const data = event.data;
      if (!what || event.resource_type !== "incident" || !data?.id) return json(200, { ignored: event.event_type });
      if (!hasValidId(data)) return json(400, { error: "not a PagerDuty incident id" });

      const occurred = Date.parse(event.occurred_at);
      if (Number.isNaN(occurred) || Date.now() - occurred > webhook.maxAge) return json(200, { ignored: "too old" });
      const keys = [`id:${event.id}`, digestKey(request.rawBody)];
      if (!(await ledger.claim(...keys))) return json(200, { ignored: "duplicate" });
      try {
        const latest = await store.get<string>(LATEST, data.id);
        if (latest && Date.parse(latest) > occurred) {
          await ledger.commit(...keys);
          return json(200, { ignored: "older than the last event" });
        }
        await store.set(LATEST, data.id, event.occurred_at);

        const incident = incidentOfEvent(data);
        const by = event.agent?.summary ? ` by ${event.agent.summary}` : "";
        const line = `${incidentTitle(incident)} — ${what}${by}`;
        const rooms = roomsFor(config, incident.service.id);
        await announcer.post({
          key: `pagerduty:${incident.id}`,
          card: incidentCard(incident, `${what}${by}`, config.timeZone),
          line,
          rooms,
          final: incident.status === "resolved",
        });
        await deps.audit(
          webhookAuditRecord({
            source: "pagerduty",
            delivery: event.id,
            event: event.event_type,
            rooms,
            detail: { incident: incident.id },
          }),
        );
      } catch (error) {
        ledger.release(...keys);
        throw error;
      }
      await ledger.commit(...keys);
      await prune(store, webhook.maxAge);
      return json(200, { ok: true });
    },
  };
}

/** Forgets the last event time of incidents older than twice `maxAge` (older events are refused by age anyway). */
async function prune(store: Store, maxAge: number): Promise<void> {
  const cutoff = Date.now() - 2 * maxAge;
  for (const [id, at] of await store.list<string>(LATEST)) if (Date.parse(at) < cutoff) await store.delete(LATEST, id);
}
