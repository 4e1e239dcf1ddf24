/**
 * What the local rota says when an incident changes: the paged person gets a direct message on every network where
 * they are linked, and the service's rooms get the incident message (edited in place / threaded where possible).
 * @module
 */
import { formatDuration, out, type PluginSetupContext } from "@switchboard/core";
import type { IncidentAnnouncer } from "../announcer.js";
import type { PagingConfig } from "../config.js";
import { ownValue } from "../names.js";
import { incidentCard, incidentTitle } from "../render.js";
import type { RotaEvent, RotaListener } from "./provider.js";
import { type IncidentRecord, incidentOfRecord } from "./records.js";

function describe(config: PagingConfig, record: IncidentRecord, event: RotaEvent): string {
  switch (event.kind) {
    case "triggered":
      return `triggered by ${event.by}, paged ${record.assignee}`;
    case "acknowledged":
    case "resolved":
      return `${event.kind} by ${event.by}`;
    case "escalated": {
      const after = ownValue(config.local.services, record.service)?.escalateAfter ?? config.local.escalateAfter;
      return `not acknowledged within ${formatDuration(after)}: paged ${record.assignee} (after ${event.previous})`;
    }
    case "exhausted":
      return `nobody acknowledged: stopped paging (last paged ${record.assignee})`;
    case "note":
      return `note from ${event.by}: ${event.text}`;
  }
}

/** The listener the local rota reports to. */
export function rotaListener(
  config: PagingConfig,
  context: Pick<PluginSetupContext<PagingConfig>, "directMessage" | "audit" | "logger">,
  announcer: IncidentAnnouncer,
): RotaListener {
  return async (record, event) => {
    const incident = incidentOfRecord(record);
    let what = describe(config, record, event);
    if (event.kind === "triggered" || event.kind === "escalated") {
      const page = [
        out.status("fail", `You are paged: ${incidentTitle(incident)}`),
        ...incidentCard(incident, what, ownValue(config.people, record.assignee)?.timeZone ?? config.timeZone).slice(1),
      ];
      let reached: string[] = [];
      try {
        reached = await context.directMessage(record.assignee, page);
      } catch (err) {
        context.logger.warn({ err, principal: record.assignee }, "direct page failed");
      }
      if (reached.length === 0) what += ` (could not reach ${record.assignee} directly)`;
    }
    if (event.kind === "escalated" || event.kind === "exhausted")
      await context.audit({
        event: "plugin",
        detail: { plugin: "paging", incident: record.id, event: event.kind, assignee: record.assignee },
        outcome: "succeeded",
      });
    const service = ownValue(config.local.services, record.service);
    await announcer.post({
      key: `local:${record.id}`,
      card: incidentCard(incident, what, config.timeZone),
      line: `${incidentTitle(incident)} — ${what}`,
      rooms: service?.rooms?.length ? service.rooms : config.rooms,
      final: record.status === "resolved",
    });
  };
}
