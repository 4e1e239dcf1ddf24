/**
 * Components and incidents as chat lines.
 * @module
 */
import type { StatusLevel } from "@switchboard/core";
import type { Component, ComponentStatus, Incident } from "./model.js";

const LEVEL: Record<ComponentStatus, StatusLevel> = {
  operational: "ok",
  degraded: "warn",
  partial: "warn",
  major: "fail",
};

/** The status block level for a component status. */
export const levelOf = (status: ComponentStatus): StatusLevel => LEVEL[status];

/** `#3 Checkout errors [major] — identified (web, api)`. */
export function incidentLine(incident: Incident): string {
  const components = incident.components.length ? ` (${incident.components.join(", ")})` : "";
  return `#${incident.id} ${incident.title} [${incident.impact}] — ${incident.status}${components}`;
}

/** `web: degraded`. */
export function componentLine(component: Component): string {
  return `${component.key}: ${component.status}`;
}
