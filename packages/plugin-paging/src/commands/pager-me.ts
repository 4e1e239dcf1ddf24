/**
 * `pager me [schedule] <duration>`: take a schedule's pager from now for a while (an override for the asker).
 * `pager me` alone says who you are at the provider. On the local rota only configured principals may take the pager:
 * it pages people through the identities their principal links.
 * @module
 */
import { type AnyCommand, arg, DeniedError, defineCommand, out, type PluginHandle } from "@switchboard/core";
import { PERMISSIONS } from "../permissions.js";
import { DRY_RUN_NOTE } from "../render.js";
import { type PagingState, zoneFor } from "../state.js";
import { formatTime, parsePagerDuration } from "../time.js";

const USAGE = "pager me [schedule] <duration>, e.g. pager me 1h, pager me ops 30m";

export function pagerMeCommand(handle: PluginHandle<PagingState>): AnyCommand {
  return defineCommand({
    name: "pager me",
    summary: "Take the pager from now for a while: an override for you on a schedule",
    examples: ["pager me 1h", "pager me ops 30m"],
    args: {
      schedule: arg.string({ positional: true, description: "the schedule (default: the default or only one)" }),
      duration: arg.string({ positional: true, description: "how long: 30m, 1h, 1h30m, or minutes" }),
    },
    permission: PERMISSIONS.override,
    sideEffect: true,
    prepare: ({ args }) => {
      const [schedule, duration] =
        args.duration === undefined ? [undefined, args.schedule] : [args.schedule, args.duration];
      if (duration !== undefined) parsePagerDuration(duration);
      return { schedule, duration };
    },
    async handler({ args, actor }) {
      const { provider, config } = handle.state;
      if (args.duration === undefined) {
        const me = await provider.acting(actor.id);
        const where = me.person.email ? ` (${me.person.email})` : "";
        return `You act as ${me.person.name}${where}. Take the pager with: ${USAGE}`;
      }
      const ms = parsePagerDuration(args.duration);
      // The local rota pages a holder through the identities their principal links; someone no principal links
      // (a verified nick granted a role at run time) could hold the pager and be reached by nobody.
      if (provider.kind === "local" && !actor.known)
        throw new DeniedError(
          "only people configured under principals can take the pager (the rota pages them where they are linked)",
          "paging: linked people only",
        );
      const schedule = await provider.schedule(args.schedule);
      const acting = await provider.acting(actor.id);
      const zone = zoneFor(config, actor.id, schedule.timeZone);
      const start = new Date();
      const end = new Date(start.getTime() + ms);
      const [before] = await provider.onCall(schedule, start, new Date(start.getTime() + 1));
      if (config.dryRun)
        return [
          out.status(
            "info",
            `Would give ${acting.person.name} the ${schedule.name} pager until ${formatTime(end, zone)}.`,
          ),
          out.text(DRY_RUN_NOTE),
        ];
      const override = await provider.createOverride(acting, schedule, start, end);
      const previous = before && before.person.name !== acting.person.name ? `Rejoice, ${before.person.name}! ` : "";
      return out.status(
        "ok",
        `${previous}${override.person.name} has the ${schedule.name} pager until ${formatTime(override.end, zone)} (override ${override.id}).`,
      );
    },
  });
}
