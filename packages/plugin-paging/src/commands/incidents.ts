/**
 * `pager incidents` (open incidents, newest first) and `pager note <id> <text>`.
 * @module
 */
import { type AnyCommand, arg, defineCommand, out, type PluginHandle, UserError } from "@switchboard/core";
import type { Incident, PagingProvider } from "../model.js";
import { INCIDENT_REF_PATTERN } from "../names.js";
import { PERMISSIONS } from "../permissions.js";
import { DRY_RUN_NOTE, incidentLabel, incidentLine, incidentTitle } from "../render.js";
import { type PagingState, zoneFor } from "../state.js";

/** The longest note `pager note` takes (PagerDuty's own limit on note content is 25,000 characters). */
export const MAX_NOTE = 2000;

/** Finds open incidents by what was typed (id or number); returns the found ones and the refs nobody matched. */
export function matchIncidents(open: Incident[], refs: string[]): { found: Incident[]; missing: string[] } {
  const found: Incident[] = [];
  const missing: string[] = [];
  for (const ref of refs) {
    const incident = open.find((i) => i.id === ref || (i.number !== undefined && String(i.number) === ref));
    if (incident) {
      if (!found.includes(incident)) found.push(incident);
    } else missing.push(ref);
  }
  return { found, missing };
}

/** One open incident by reference, or a UserError. */
export async function openIncident(provider: PagingProvider, ref: string): Promise<Incident> {
  const { found } = matchIncidents(await provider.openIncidents(), [ref.replace(/^#/, "")]);
  if (!found[0]) throw new UserError(`no open incident ${ref}`, "pager incidents lists them");
  return found[0];
}

export function incidentCommands(handle: PluginHandle<PagingState>): AnyCommand[] {
  const incidents = defineCommand({
    name: "pager incidents",
    aliases: ["pager sup", "pager problems"],
    summary: "Open incidents (triggered and acknowledged), newest first",
    permission: PERMISSIONS.read,
    async handler({ actor }) {
      const { provider, config } = handle.state;
      const open = await provider.openIncidents();
      if (open.length === 0) return out.status("ok", "No open incidents.");
      const zone = zoneFor(config, actor.id, config.timeZone);
      return [out.text(`${open.length} open:`), out.text(open.map((i) => incidentLine(i, zone)).join("\n"))];
    },
  });

  const note = defineCommand({
    name: "pager note",
    summary: "Add a note to an incident",
    examples: ["pager note 42 restarting the web tier"],
    args: {
      incident: arg.string({ positional: true, required: true, match: INCIDENT_REF_PATTERN }),
      text: arg.string({ positional: true, required: true, rest: true }),
    },
    permission: PERMISSIONS.ack,
    sideEffect: true,
    // A note is posted to rooms and kept with the incident: bounded, like PagerDuty's own limit on note content.
    prepare: ({ args }) => {
      if (args.text.length > MAX_NOTE)
        throw new UserError(
          `a note is at most ${MAX_NOTE} characters (this one has ${args.text.length})`,
          "put the details in a link",
        );
      return args;
    },
    async handler({ args, actor }) {
      const { provider, config } = handle.state;
      const acting = await provider.acting(actor.id);
      const incident = await openIncident(provider, args.incident);
      if (config.dryRun)
        return [out.status("info", `Would add your note to ${incidentTitle(incident)}.`), out.text(DRY_RUN_NOTE)];
      await provider.addNote(acting, incident, args.text);
      return out.status("ok", `Noted on ${incidentLabel(incident)} as ${acting.person.name}.`);
    },
  });
  return [incidents, note];
}
