/**
 * How incidents, shifts and overrides read in chat. Everything here is plain text first; blocks add structure.
 * @module
 */
import { type Block, out, type StatusLevel } from "@switchboard/core";
import type { Incident, IncidentStatus, Override, Shift } from "./model.js";
import { formatTime, formatTimeShort } from "./time.js";

const LEVEL: Record<IncidentStatus, StatusLevel> = { triggered: "fail", acknowledged: "warn", resolved: "ok" };

/** `#42` (number) or the id. */
export function incidentLabel(incident: Incident): string {
  return incident.number !== undefined ? `#${incident.number}` : incident.id;
}

/** The reference commands take: the provider id. */
export const incidentRef = (incident: Incident) => incident.id;

/** `#42 web: site down` */
export function incidentTitle(incident: Incident): string {
  return `${incidentLabel(incident)} ${incident.service.name}: ${incident.title}`;
}

const assigned = (incident: Incident) => incident.assignees.map((p) => p.name).join(", ") || "nobody";

/** One line of a list: `#42 web: site down — triggered, alice (since 14:02 CET)`. */
export function incidentLine(incident: Incident, zone: string): string {
  const who = incident.status === "resolved" ? "" : `, ${assigned(incident)}`;
  return `${incidentTitle(incident)} — ${incident.status}${who} (since ${formatTimeShort(incident.createdAt, zone)})`;
}

/** The incident message posted in rooms: status, facts, link, and buttons while it is open. */
export function incidentCard(incident: Incident, what: string, zone: string): Block[] {
  const blocks: Block[] = [out.status(LEVEL[incident.status], `${incidentTitle(incident)} — ${what}`)];
  const facts: Array<[string, string]> = [
    ["status", incident.status],
    ["service", incident.service.name],
  ];
  if (incident.status !== "resolved") facts.push(["assigned to", assigned(incident)]);
  facts.push(["opened", formatTime(incident.createdAt, zone)]);
  blocks.push(out.facts(facts));
  if (incident.url) blocks.push(out.link(incident.url, `${incidentLabel(incident)} in PagerDuty`));
  if (incident.status !== "resolved") {
    const actions = [];
    if (incident.status === "triggered")
      actions.push({ label: "Acknowledge", command: `pager ack ${incidentRef(incident)}`, style: "primary" as const });
    actions.push({ label: "Resolve", command: `pager resolve ${incidentRef(incident)}` });
    blocks.push(out.actions(...actions));
  }
  return blocks;
}

/** `until Wed 2026-11-25 09:00 CET`, or `with no end set`. */
export function untilText(shift: Shift, zone: string, now = new Date()): string {
  return shift.end ? `until ${formatTimeShort(shift.end, zone, now)}` : "with no end set";
}

/** `alice until Wed 2026-11-25 09:00 CET, then bob` */
export function shiftsLine(shifts: Shift[], zone: string, now = new Date()): string {
  const [current, next] = shifts;
  if (!current) return "nobody";
  return `${current.person.name} ${untilText(current, zone, now)}${next ? `, then ${next.person.name}` : ""}`;
}

/** `O3 bob: Wed 14:00 → 15:00 CET` */
export function overrideLine(override: Override, zone: string): string {
  return `${override.id} ${override.person.name}: ${formatTime(override.start, zone)} → ${formatTime(override.end, zone)}`;
}

/** The line a dry run adds. */
export const DRY_RUN_NOTE = "dry run: nothing was changed (plugins.paging.dryRun is true)";
