/**
 * What both providers (PagerDuty and the local rota) answer in: schedules, shifts, overrides and incidents, and the
 * provider interface the commands use.
 * @module
 */

/** An incident's state. */
export type IncidentStatus = "triggered" | "acknowledged" | "resolved";

/** Someone who can be on call: a principal (local rota) or a PagerDuty user. */
export interface Person {
  /** What to call them. */
  name: string;
  /** Principal id, when known. */
  principal?: string;
  /** Provider id (PagerDuty user id). */
  id?: string;
  email?: string;
}

/** A schedule (a rotation). */
export interface ScheduleInfo {
  /** Provider id (PagerDuty) or configured name (local). */
  id: string;
  /** What people call it. */
  name: string;
  /** The schedule's own time zone. */
  timeZone: string;
  url?: string;
}

/** Someone holding the pager of a schedule for a while. */
export interface Shift {
  person: Person;
  start: Date;
  /** Undefined when it has no end in sight. */
  end?: Date;
}

/** Someone taking a schedule's pager for a time (`pager me`). */
export interface Override {
  id: string;
  schedule: ScheduleInfo;
  person: Person;
  start: Date;
  end: Date;
}

/** An incident. */
export interface Incident {
  /** Provider id (PagerDuty `PIJ90N7`, local `7`). */
  id: string;
  /** Incident number, where there is one. */
  number?: number;
  title: string;
  status: IncidentStatus;
  service: { id?: string; name: string };
  /** Who it is assigned to now. */
  assignees: Person[];
  createdAt: Date;
  url?: string;
}

/** The person a command acts as at the provider. */
export interface Acting {
  /** The asker's principal id. */
  principal: string;
  /** The provider's user: PagerDuty user (with id and e-mail) or the principal itself on the local rota. */
  person: Person;
}

/** Who asks, when a provider user is not required (`pager trigger`). */
export interface Asker {
  principal: string;
  person?: Person;
}

/** What `pager trigger` did. */
export interface TriggerResult {
  /** The incident, when the provider creates it synchronously (local rota). */
  incident?: Incident;
  /** The Events API's dedup key (PagerDuty). */
  dedupKey?: string;
  /** Who was paged (local rota). */
  paged?: Person[];
  /** Why nobody was paged (a maintenance window). */
  suppressed?: string;
}

/** What `pager maintenance` did. */
export interface MaintenanceResult {
  id: string;
  service: string;
  start: Date;
  end: Date;
}

/** Where schedules and incidents live. Every write acts as `acting`. */
export interface PagingProvider {
  readonly kind: "local" | "pagerduty";
  /** The provider user a principal acts as; throws a UserError that says how to link when there is none. */
  acting(principal: string): Promise<Acting>;
  /** Every schedule people may ask about. */
  schedules(): Promise<ScheduleInfo[]>;
  /** A schedule by what was typed (or the default one); throws a UserError naming the choices. */
  schedule(typed: string | undefined): Promise<ScheduleInfo>;
  /** Who holds the pager between `since` and `until`, in order. */
  onCall(schedule: ScheduleInfo, since: Date, until: Date): Promise<Shift[]>;
  overrides(schedule: ScheduleInfo, since: Date, until: Date): Promise<Override[]>;
  createOverride(acting: Acting, schedule: ScheduleInfo, start: Date, end: Date): Promise<Override>;
  /** Triggered and acknowledged incidents, newest first. */
  openIncidents(): Promise<Incident[]>;
  /** Moves incidents to `status`; returns them as they are now. */
  setStatus(acting: Acting, incidents: Incident[], status: "acknowledged" | "resolved"): Promise<Incident[]>;
  addNote(acting: Acting, incident: Incident, text: string): Promise<void>;
  /** The service names `pager trigger` and `pager maintenance` take. */
  services(): string[];
  /** Raises an incident; `asker.person` is set when the asker is linked to a provider user. */
  trigger(asker: Asker, service: string, summary: string): Promise<TriggerResult>;
  maintenance(acting: Acting, service: string, start: Date, end: Date): Promise<MaintenanceResult>;
}

/** Whether `incident` is assigned to `person`. */
export function isAssignedTo(incident: Incident, person: Person): boolean {
  return incident.assignees.some(
    (assignee) =>
      (person.id !== undefined && assignee.id === person.id) ||
      (person.principal !== undefined && assignee.principal === person.principal),
  );
}
