/**
 * `POST /hooks/alertmanager`: bearer token, version 4 payloads, routed to rooms by matchers on the group's common
 * labels. A later notification of the same group edits the earlier message where the network can edit.
 * @module
 */
import { bearerMatches, type HttpRequest, type HttpResponse, type HttpRoute, type RoomRef } from "@switchboard/core";
import type { AlertmanagerConfig } from "../config.js";
import { announce, roomName, type SourceContext } from "../deliveries.js";
import { parseJson, reject } from "../responses.js";
import { matchesAll } from "./matchers.js";
import { alertGroupMessage } from "./message.js";
import { type AlertmanagerPayload, alertmanagerPayloadSchema, labelMap } from "./payload.js";

export const ALERTMANAGER_SOURCE = "alertmanager";

/** The rooms of every route that matches (in order, stopping at the first without `continue`). */
export function roomsForGroup(routes: AlertmanagerConfig["routes"], labels: ReadonlyMap<string, string>): RoomRef[] {
  const rooms = new Map<string, RoomRef>();
  for (const route of routes) {
    if (!matchesAll(route.matchers, labels)) continue;
    for (const room of route.rooms) rooms.set(roomName(room), room);
    if (!route.continue) break;
  }
  return [...rooms.values()];
}

/** The Alertmanager webhook route. */
export function alertmanagerRoute(config: AlertmanagerConfig, context: SourceContext): HttpRoute {
  const count = (result: Parameters<SourceContext["count"]>[1]) => context.count(ALERTMANAGER_SOURCE, result);
  const log = context.logger.child({ source: ALERTMANAGER_SOURCE });

  async function handle(request: HttpRequest): Promise<HttpResponse> {
    if (!bearerMatches(request.headers.authorization, config.token)) {
      count("unauthorized");
      log.warn({ ip: request.ip }, "refused an Alertmanager delivery: bad or missing bearer token");
      return reject(401, "bad token");
    }
    const parsed = alertmanagerPayloadSchema.safeParse(parseJson(request.rawBody));
    if (!parsed.success) {
      count("invalid");
      return reject(400, "not an Alertmanager version 4 payload");
    }
    const payload: AlertmanagerPayload = parsed.data;
    const rooms = roomsForGroup(config.routes, labelMap(payload.commonLabels));
    if (rooms.length === 0) {
      count("unrouted");
      log.info({ groupKey: payload.groupKey.slice(0, 200) }, "no route matches an alert group");
      return { status: 200, body: { result: "unrouted" } };
    }
    try {
      const posted = await announce(context, {
        source: ALERTMANAGER_SOURCE,
        event: `alerts ${payload.status}`,
        rooms,
        reply: alertGroupMessage(payload, config.maxAlerts),
        key: payload.groupKey,
        editWindowMs: config.editWindow,
        final: payload.status === "resolved",
        detail: { groupKey: payload.groupKey.slice(0, 500), alerts: payload.alerts.length },
      });
      count("posted");
      log.info({ status: payload.status, rooms: posted.posted.length }, "posted an alert group");
      return { status: 200, body: { result: "posted", rooms: posted.posted.length } };
    } catch (error) {
      count("failed");
      log.error({ err: error }, "could not post an alert group");
      // 5xx: Alertmanager retries the notification.
      return reject(500, "could not post");
    }
  }

  return { method: "POST", path: "/hooks/alertmanager", source: ALERTMANAGER_SOURCE, handler: handle };
}
