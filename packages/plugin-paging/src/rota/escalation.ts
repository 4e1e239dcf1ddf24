/**
 * The local rota's escalation rule and housekeeping: a triggered incident nobody acknowledged within its service's
 * `escalateAfter` goes to the next person in the rotation, until `maxEscalations` (an override holder's turn does not
 * count); old records are pruned.
 * @module
 */
import type { Store } from "@switchboard/core";
import type { LocalConfig } from "../config.js";
import { ownValue } from "../names.js";
import type { RotaEvent } from "./provider.js";
import {
  INCIDENTS,
  type IncidentRecord,
  MAINTENANCE,
  type MaintenanceRecord,
  OVERRIDES,
  type OverrideRecord,
} from "./records.js";
import { nextAfter, type Rotation, turnAt } from "./rotation.js";

/** Resolved incidents are kept this long, then pruned. */
const KEEP_RESOLVED_MS = 7 * 86_400_000;

/**
 * Escalates `record` in place when it is due at `now`, or returns `exhausted` after the last escalation. An
 * unanswered override holder (someone outside the rotation who took the pager) hands over to the rotation's current
 * person without using up an escalation: the configured chain is paged in full after them. Returns what happened,
 * if anything.
 */
export function escalation(
  record: IncidentRecord,
  config: LocalConfig,
  rotationOf: (schedule: string) => Rotation,
  now: number,
): RotaEvent | undefined {
  if (record.status !== "triggered" || record.exhausted) return undefined;
  const after = ownValue(config.services, record.service)?.escalateAfter ?? config.escalateAfter;
  if (now - Date.parse(record.pagedAt) < after) return undefined;
  const rotation = rotationOf(record.schedule);
  const previous = record.assignee;
  if (!rotation.people.includes(previous)) {
    record.assignee = turnAt(rotation, new Date(now)).principal;
  } else {
    const max = config.maxEscalations ?? rotation.people.length - 1;
    if (record.escalations >= max) {
      record.exhausted = true;
      return { kind: "exhausted" };
    }
    record.assignee = nextAfter(rotation, previous);
    record.escalations++;
  }
  record.pagedAt = new Date(now).toISOString();
  return { kind: "escalated", previous };
}

/** Deletes resolved incidents older than a week, and expired overrides and maintenance windows. */
export async function pruneRecords(store: Store, now: number): Promise<void> {
  for (const [key, r] of await store.list<IncidentRecord>(INCIDENTS))
    if (r.resolvedAt && now - Date.parse(r.resolvedAt) > KEEP_RESOLVED_MS) await store.delete(INCIDENTS, key);
  for (const [key, o] of await store.list<OverrideRecord>(OVERRIDES))
    if (Date.parse(o.end) < now) await store.delete(OVERRIDES, key);
  for (const [key, m] of await store.list<MaintenanceRecord>(MAINTENANCE))
    if (Date.parse(m.end) < now) await store.delete(MAINTENANCE, key);
}
