/**
 * `pager ack [ids|all]` and `pager resolve [ids|all]`. Without ids (or with `all`) they act only on the open
 * incidents assigned to the asker; `--everyone` (or `pager ack!`) takes everyone's and needs `paging:everyone`.
 * Named ids of incidents assigned to others need `--everyone` too: nothing is changed as the asker on someone
 * else's incident without that permission.
 * The reply lists exactly which incidents changed.
 * @module
 */
import {
  type AnyCommand,
  arg,
  DeniedError,
  defineCommand,
  out,
  type PluginHandle,
  type Reply,
} from "@switchboard/core";
import { type Incident, isAssignedTo } from "../model.js";
import { parseIncidentRefs } from "../names.js";
import { PERMISSIONS } from "../permissions.js";
import { DRY_RUN_NOTE, incidentLine } from "../render.js";
import { type PagingState, zoneFor } from "../state.js";
import { matchIncidents } from "./incidents.js";

type Target = "acknowledged" | "resolved";

const VERB: Record<Target, { name: string; doing: string; done: string }> = {
  acknowledged: { name: "ack", doing: "acknowledge", done: "Acknowledged" },
  resolved: { name: "resolve", doing: "resolve", done: "Resolved" },
};

/** Which open incidents a status change may move. */
const movable = (status: Target) => (incident: Incident) =>
  status === "resolved" ? incident.status !== "resolved" : incident.status === "triggered";

function updateCommand(handle: PluginHandle<PagingState>, status: Target): AnyCommand {
  const verb = VERB[status];
  return defineCommand({
    name: `pager ${verb.name}`,
    aliases: [`pager ${verb.name}!`, status === "acknowledged" ? "pager acknowledge" : "pager resolved"],
    summary: `${verb.done.replace(/d$/, "")} incidents: by id, or all of yours (--everyone: everyone's)`,
    examples: [`pager ${verb.name}`, `pager ${verb.name} 42 43`, `pager ${verb.name} all --everyone`],
    args: {
      incidents: arg.string({ positional: true, rest: true, description: "incident ids or numbers, or all" }),
      everyone: arg.flag({ description: "all open incidents, not only yours (needs paging:everyone)" }),
    },
    permission: PERMISSIONS.ack,
    sideEffect: true,
    prepare: ({ args, invokedAs }) => {
      const everyone = args.everyone || invokedAs.endsWith("!");
      const words = args.incidents?.trim().toLowerCase() === "all" ? undefined : args.incidents;
      if (words !== undefined) parseIncidentRefs(words);
      return { incidents: words, everyone };
    },
    requirements: (args) => (args.everyone ? [{ reason: "--everyone", permission: PERMISSIONS.everyone }] : []),
    async handler({ args, actor }): Promise<Reply> {
      const { provider, config } = handle.state;
      const acting = await provider.acting(actor.id);
      const open = await provider.openIncidents();
      const zone = zoneFor(config, actor.id, config.timeZone);
      const notes: string[] = [];
      let targets: Incident[];
      if (args.incidents !== undefined) {
        const { found, missing } = matchIncidents(open, parseIncidentRefs(args.incidents));
        if (missing.length) notes.push(`not open: ${missing.join(", ")}`);
        targets = found.filter(movable(status));
        const others = args.everyone ? [] : targets.filter((i) => !isAssignedTo(i, acting.person));
        if (others.length)
          throw new DeniedError(
            `${others.map((i) => i.number ?? i.id).join(", ")} ${others.length === 1 ? "is" : "are"} not assigned to you: add --everyone to ${verb.doing} other people's incidents (needs ${PERMISSIONS.everyone})`,
            `paging: ${PERMISSIONS.everyone}`,
          );
        const skipped = found.filter((i) => !movable(status)(i));
        if (skipped.length) notes.push(`already ${status}: ${skipped.map((i) => i.number ?? i.id).join(", ")}`);
      } else {
        const candidates = open.filter(movable(status));
        targets = args.everyone ? candidates : candidates.filter((i) => isAssignedTo(i, acting.person));
        const others = candidates.length - targets.length;
        if (targets.length === 0 && others > 0)
          return `Nothing assigned to you to ${verb.doing}. ${others} other open incident(s) belong to others: name them (pager ${verb.name} <id>), or use --everyone.`;
      }
      if (targets.length === 0) return [`Nothing to ${verb.doing}.`, ...notes].join(" ");
      if (config.dryRun) {
        return [
          out.status("info", `Would ${verb.doing} ${targets.length} incident(s) as ${acting.person.name}:`),
          out.text(targets.map((i) => incidentLine(i, zone)).join("\n")),
          out.text([DRY_RUN_NOTE, ...notes].join("; ")),
        ];
      }
      const changed = await provider.setStatus(acting, targets, status);
      const blocks = [
        out.status("ok", `${verb.done} ${changed.length} incident(s) as ${acting.person.name}:`),
        out.text(changed.map((i) => incidentLine(i, zone)).join("\n")),
      ];
      if (notes.length) blocks.push(out.text(notes.join("; ")));
      return blocks;
    },
  });
}

export function updateCommands(handle: PluginHandle<PagingState>): AnyCommand[] {
  return [updateCommand(handle, "acknowledged"), updateCommand(handle, "resolved")];
}
