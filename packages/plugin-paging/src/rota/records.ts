/**
 * What the local rota keeps in the plugin's store: overrides, incidents and maintenance windows, as JSON records,
 * and their conversion to the plugin's model.
 * @module
 */
import type { Store } from "@switchboard/core";
import type { Incident, IncidentStatus, Override, ScheduleInfo } from "../model.js";

export const OVERRIDES = "rota-overrides";
export const INCIDENTS = "rota-incidents";
export const MAINTENANCE = "rota-maintenance";
const COUNTERS = "rota-counters";

/** A stored override. */
export interface OverrideRecord {
  id: string;
  schedule: string;
  principal: string;
  start: string;
  end: string;
  createdBy: string;
  createdAt: string;
}

/** A stored incident of the local rota. */
export interface IncidentRecord {
  id: string;
  number: number;
  title: string;
  status: IncidentStatus;
  service: string;
  schedule: string;
  /** Who is paged now. */
  assignee: string;
  /** How many times it went to the next person. */
  escalations: number;
  /** When the current assignee was paged (escalation counts from here). */
  pagedAt: string;
  /** True once every escalation was used and nobody acknowledged: the bot stopped paging. */
  exhausted?: boolean;
  createdAt: string;
  createdBy: string;
  acknowledgedBy?: string;
  resolvedBy?: string;
  resolvedAt?: string;
  notes: Array<{ by: string; at: string; text: string }>;
}

/** A stored maintenance window. */
export interface MaintenanceRecord {
  id: string;
  service: string;
  start: string;
  end: string;
  by: string;
}

/** Store keys sort as numbers. */
export const incidentKey = (number: number) => String(number).padStart(10, "0");

/** The next number of a counter (`incident`, `override`). */
export async function nextNumber(store: Store, counter: string): Promise<number> {
  const next = ((await store.get<number>(COUNTERS, counter)) ?? 0) + 1;
  await store.set(COUNTERS, counter, next);
  return next;
}

export function incidentOfRecord(record: IncidentRecord): Incident {
  return {
    id: record.id,
    number: record.number,
    title: record.title,
    status: record.status,
    service: { name: record.service },
    assignees: record.status === "resolved" ? [] : [{ name: record.assignee, principal: record.assignee }],
    createdAt: new Date(record.createdAt),
  };
}

export function overrideOfRecord(record: OverrideRecord, schedule: ScheduleInfo): Override {
  return {
    id: record.id,
    schedule,
    person: { name: record.principal, principal: record.principal },
    start: new Date(record.start),
    end: new Date(record.end),
  };
}
