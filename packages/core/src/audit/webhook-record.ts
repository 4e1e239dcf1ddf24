/**
 * The one shape of a webhook delivery in the audit log, written by the HTTP endpoint's sources and by plugins'
 * routes (PagerDuty, Alertmanager): `event: "webhook"`, `actor: "webhook:<source>"`, and `source`, `delivery`,
 * `event`, `rooms` in the detail, so `audit` finds every delivery the same way whoever received it.
 * @module
 */
import type { RoomRef } from "../util/room-ref.js";
import type { AuditRecord } from "./audit.js";

/** What a delivery did. */
export interface WebhookDelivery {
  /** Source label: `github`, `alertmanager`, `hook:deploys`, `pagerduty`. */
  source: string;
  /** The delivery id, when the sender gives one. */
  delivery?: string | undefined;
  /** What it was about (`check_suite`, `alert group`, `incident.acknowledged`). */
  event: string;
  /** The rooms it was posted into (one room is also the record's network and room). */
  rooms?: readonly RoomRef[];
  /** The rooms that could not be reached. */
  failedRooms?: readonly RoomRef[];
  /** Extra detail (repository, incident). Never secrets. */
  detail?: Record<string, unknown>;
}

const roomName = (room: RoomRef) => `${room.network}:${room.room}`;

/** The audit record of a handled delivery. */
export function webhookAuditRecord(item: WebhookDelivery): AuditRecord {
  const record: AuditRecord = {
    event: "webhook",
    actor: `webhook:${item.source}`,
    outcome: "succeeded",
    detail: {
      source: item.source,
      ...(item.delivery ? { delivery: item.delivery } : {}),
      event: item.event,
      ...(item.rooms ? { rooms: item.rooms.map(roomName) } : {}),
      ...(item.failedRooms?.length ? { failedRooms: item.failedRooms.map(roomName) } : {}),
      ...item.detail,
    },
  };
  const [only, ...others] = item.rooms ?? [];
  if (only && others.length === 0) Object.assign(record, { network: only.network, room: only.room });
  return record;
}
