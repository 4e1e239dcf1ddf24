/**
 * What the status commands work with, whichever provider keeps it: components with a status, incidents with updates.
 * @module
 */

/** A component's status as chat names it. */
export const COMPONENT_STATUSES = ["operational", "degraded", "partial", "major"] as const;
export type ComponentStatus = (typeof COMPONENT_STATUSES)[number];

/** How bad an incident is (Statuspage's impact levels). */
export const IMPACTS = ["none", "minor", "major", "critical"] as const;
export type Impact = (typeof IMPACTS)[number];

/** Where an incident stands (Statuspage's incident statuses). */
export const INCIDENT_STATUSES = ["investigating", "identified", "monitoring", "resolved"] as const;
export type IncidentStatus = (typeof INCIDENT_STATUSES)[number];

/** The component status an incident of this impact puts its components in. */
export const STATUS_FOR_IMPACT: Record<Impact, ComponentStatus> = {
  none: "operational",
  minor: "degraded",
  major: "partial",
  critical: "major",
};

/** A component as shown. */
export interface Component {
  /** The name chat uses (the configuration key). */
  key: string;
  /** The name the page shows. */
  name: string;
  status: ComponentStatus;
}

/** One update of an incident. */
export interface IncidentUpdate {
  /** ISO time. */
  at: string;
  status: IncidentStatus;
  text: string;
  /** Who posted it (a principal's name), when known. */
  by?: string;
}

/** An incident. */
export interface Incident {
  id: string;
  title: string;
  impact: Impact;
  status: IncidentStatus;
  /** Component keys. */
  components: string[];
  /** ISO times. */
  createdAt: string;
  resolvedAt?: string;
  /** Newest last. */
  updates: IncidentUpdate[];
}

/** What opening an incident takes. */
export interface NewIncident {
  title: string;
  impact: Impact;
  components: string[];
  by: string;
}

/** Where components and incidents are kept: the bot's own page, or Atlassian Statuspage. */
export interface StatusProvider {
  readonly name: string;
  components(signal?: AbortSignal): Promise<Component[]>;
  setComponent(key: string, status: ComponentStatus, signal?: AbortSignal): Promise<Component>;
  /** Open incidents, newest first. */
  openIncidents(signal?: AbortSignal): Promise<Incident[]>;
  createIncident(incident: NewIncident, signal?: AbortSignal): Promise<Incident>;
  /** Adds an update (and moves the status when given); resolving puts its components back to operational. */
  updateIncident(
    id: string,
    update: { text: string; status: IncidentStatus; by: string },
    signal?: AbortSignal,
  ): Promise<Incident>;
}
