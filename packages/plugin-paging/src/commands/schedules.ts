/**
 * `pager schedules` and `pager overrides [schedule]`.
 * @module
 */
import { type AnyCommand, arg, defineCommand, out, type PluginHandle } from "@switchboard/core";
import { PERMISSIONS } from "../permissions.js";
import { overrideLine } from "../render.js";
import { type PagingState, zoneFor } from "../state.js";

const OVERRIDE_WINDOW_MS = 30 * 86_400_000;

export function scheduleCommands(handle: PluginHandle<PagingState>): AnyCommand[] {
  const schedules = defineCommand({
    name: "pager schedules",
    summary: "The schedules oncall and pager me take",
    permission: PERMISSIONS.read,
    async handler() {
      const { provider } = handle.state;
      const list = await provider.schedules();
      if (list.length === 0) return "No schedules are configured.";
      const links = list.some((s) => s.url);
      return out.table(
        links ? ["schedule", "time zone", "link"] : ["schedule", "time zone"],
        list.map((s) => (links ? [s.name, s.timeZone, s.url ?? ""] : [s.name, s.timeZone])),
      );
    },
  });

  const overrides = defineCommand({
    name: "pager overrides",
    summary: "Overrides of a schedule for the next 30 days",
    examples: ["pager overrides", "pager overrides ops"],
    args: { schedule: arg.string({ positional: true, rest: true }) },
    permission: PERMISSIONS.read,
    async handler({ args, actor }) {
      const { provider, config } = handle.state;
      const schedule = await provider.schedule(args.schedule);
      const now = new Date();
      const list = await provider.overrides(schedule, now, new Date(now.getTime() + OVERRIDE_WINDOW_MS));
      if (list.length === 0) return `No overrides on ${schedule.name} in the next 30 days.`;
      const zone = zoneFor(config, actor.id, schedule.timeZone);
      return [out.text(`Overrides on ${schedule.name}:`), out.text(list.map((o) => overrideLine(o, zone)).join("\n"))];
    },
  });
  return [schedules, overrides];
}
