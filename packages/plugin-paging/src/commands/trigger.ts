/**
 * `pager trigger <service> <summary>` and `pager maintenance <service> <duration>`.
 * @module
 */
import { type AnyCommand, arg, defineCommand, out, type PluginHandle, UserError } from "@switchboard/core";
import type { Asker } from "../model.js";
import { normaliseName } from "../names.js";
import { PERMISSIONS } from "../permissions.js";
import { DRY_RUN_NOTE, incidentTitle } from "../render.js";
import { type PagingState, zoneFor } from "../state.js";
import { formatTime, parsePagerDuration } from "../time.js";

const MAX_MAINTENANCE_MS = 7 * 86_400_000;

function triggerCommand(handle: PluginHandle<PagingState>): AnyCommand {
  return defineCommand({
    name: "pager trigger",
    summary: "Page a service's on-call person: opens an incident",
    examples: ['pager trigger web "site down"', "pager trigger web checkout returns 500"],
    args: {
      service: arg.string({ positional: true, required: true }),
      summary: arg.string({ positional: true, required: true, rest: true }),
    },
    permission: PERMISSIONS.trigger,
    sideEffect: true,
    prepare: ({ args }) => {
      const summary = args.summary.trim();
      if (summary.length > 1024) throw new UserError("the summary is too long", "at most 1024 characters");
      return { service: normaliseName(args.service, "service"), summary };
    },
    async handler({ args, actor }) {
      const { provider, config } = handle.state;
      if (!provider.services().includes(args.service))
        throw new UserError(
          `no service "${args.service}"`,
          `one of: ${provider.services().join(", ") || "(none configured)"}`,
        );
      const asker: Asker = { principal: actor.id };
      try {
        asker.person = (await provider.acting(actor.id)).person;
      } catch {
        // triggering does not need a linked user; the event then names the principal
      }
      if (config.dryRun)
        return [out.status("info", `Would page ${args.service}: ${args.summary}`), out.text(DRY_RUN_NOTE)];
      const result = await provider.trigger(asker, args.service, args.summary);
      if (result.suppressed) return out.status("warn", `Nobody was paged: ${result.suppressed}.`);
      if (result.incident) {
        const paged = result.paged?.map((p) => p.name).join(", ") ?? "nobody";
        return out.status("ok", `Opened ${incidentTitle(result.incident)}; paged ${paged}.`);
      }
      const key = result.dedupKey ? ` (dedup key ${result.dedupKey})` : "";
      return out.status("ok", `Triggered ${args.service}: ${args.summary}${key}. PagerDuty pages whoever is on call.`);
    },
  });
}

function maintenanceCommand(handle: PluginHandle<PagingState>): AnyCommand {
  return defineCommand({
    name: "pager maintenance",
    summary: "Open a maintenance window on a service from now: nobody is paged for it meanwhile",
    examples: ["pager maintenance web 1h"],
    args: {
      service: arg.string({ positional: true, required: true }),
      duration: arg.string({ positional: true, required: true, description: "30m, 2h, or minutes" }),
    },
    permission: PERMISSIONS.maintenance,
    sideEffect: true,
    prepare: ({ args }) => {
      // hubot-pager-me took `maintenance <minutes> <service>`: accept that order too.
      const swapped = /^\d+$/.test(args.service) || /^\d+[smhdw]/.test(args.service);
      const [service, duration] = swapped ? [args.duration, args.service] : [args.service, args.duration];
      parsePagerDuration(duration, MAX_MAINTENANCE_MS);
      return { service: normaliseName(service, "service"), duration };
    },
    async handler({ args, actor }) {
      const { provider, config } = handle.state;
      const acting = await provider.acting(actor.id);
      const start = new Date();
      const end = new Date(start.getTime() + parsePagerDuration(args.duration, MAX_MAINTENANCE_MS));
      const zone = zoneFor(config, actor.id, config.timeZone);
      if (config.dryRun)
        return [
          out.status("info", `Would open a maintenance window on ${args.service} until ${formatTime(end, zone)}.`),
          out.text(DRY_RUN_NOTE),
        ];
      const window = await provider.maintenance(acting, args.service, start, end);
      return out.status(
        "ok",
        `${args.service} is in maintenance until ${formatTime(window.end, zone)} (window ${window.id}).`,
      );
    },
  });
}

export function triggerCommands(handle: PluginHandle<PagingState>): AnyCommand[] {
  return [triggerCommand(handle), maintenanceCommand(handle)];
}
