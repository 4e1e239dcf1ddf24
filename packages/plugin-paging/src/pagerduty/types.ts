/**
 * The parts of PagerDuty's REST API v2 objects this plugin reads, and their conversion to the plugin's model.
 * @module
 */
import type { Incident, IncidentStatus, Override, Person, ScheduleInfo } from "../model.js";
import { flatTitle, PAGERDUTY_ID_PATTERN, pagerDutyUrl } from "../names.js";

/** A reference (`{ id, type, summary }`) as PagerDuty embeds other objects. */
export interface PdReference {
  id: string;
  type?: string;
  summary?: string;
  html_url?: string;
}

export interface PdUser {
  id: string;
  name: string;
  email: string;
  time_zone?: string;
  html_url?: string;
}

export interface PdSchedule {
  id: string;
  name: string;
  time_zone: string;
  html_url?: string;
  summary?: string;
}

export interface PdOncall {
  user: PdReference;
  schedule?: PdReference | null;
  escalation_level?: number;
  start: string | null;
  end: string | null;
}

export interface PdOverride {
  id: string;
  start: string;
  end: string;
  user: PdReference;
}

export interface PdIncident {
  id: string;
  incident_number?: number;
  title: string;
  status: IncidentStatus;
  service?: PdReference;
  assignments?: Array<{ assignee: PdReference }>;
  created_at: string;
  html_url?: string;
}

/** A PagerDuty user reference as a {@link Person}. */
export function personOf(reference: PdReference): Person {
  return { name: flatTitle(reference.summary ?? reference.id, 100, "(someone)"), id: reference.id };
}

export function scheduleOf(schedule: PdSchedule, name = schedule.name): ScheduleInfo {
  const info: ScheduleInfo = { id: schedule.id, name: flatTitle(name, 100), timeZone: schedule.time_zone || "UTC" };
  const url = pagerDutyUrl(schedule.html_url);
  if (url) info.url = url;
  return info;
}

export function overrideOf(override: PdOverride, schedule: ScheduleInfo): Override {
  return {
    id: override.id,
    schedule,
    person: personOf(override.user),
    start: new Date(override.start),
    end: new Date(override.end),
  };
}

/** Whether PagerDuty's answer has an incident id that can go into a URL path (a hostile server may send `../x`). */
export function hasValidId(incident: { id?: unknown }): boolean {
  return typeof incident.id === "string" && PAGERDUTY_ID_PATTERN.test(incident.id);
}

/** An incident as the plugin shows it: the title flattened to one line, the link only when it is PagerDuty's. */
export function incidentOf(incident: PdIncident): Incident {
  const result: Incident = {
    id: incident.id,
    title: flatTitle(incident.title),
    status: incident.status,
    service: {
      id: incident.service?.id,
      name: flatTitle(incident.service?.summary ?? incident.service?.id, 100, "unknown service"),
    },
    assignees: (incident.assignments ?? []).map((a) => personOf(a.assignee)),
    createdAt: new Date(incident.created_at),
  };
  if (incident.incident_number !== undefined) result.number = incident.incident_number;
  const url = pagerDutyUrl(incident.html_url);
  if (url) result.url = url;
  return result;
}
