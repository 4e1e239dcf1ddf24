/**
 * `oncall [schedule]` (also `who is on call [for <schedule>]`) and `am I on call`.
 * @module
 */
import { type AnyCommand, arg, defineCommand, type PluginHandle } from "@switchboard/core";
import type { PagingProvider, ScheduleInfo } from "../model.js";
import { PERMISSIONS } from "../permissions.js";
import { shiftsLine, untilText } from "../render.js";
import { type PagingState, zoneFor } from "../state.js";

const DAY = 86_400_000;

/** Current and next holder of each schedule, one line each. */
async function onCallLines(provider: PagingProvider, schedules: ScheduleInfo[], zone: (s: ScheduleInfo) => string) {
  const now = new Date();
  return Promise.all(
    schedules.map(async (schedule) => {
      const shifts = await provider.onCall(schedule, now, new Date(now.getTime() + 7 * DAY));
      return `${schedule.name}: ${shiftsLine(shifts, zone(schedule), now)}`;
    }),
  );
}

const scheduleArg = arg.string({ positional: true, rest: true, description: "a schedule (default: every schedule)" });

function oncallCommand(
  handle: PluginHandle<PagingState>,
  name: string,
  aliases: string[],
  hidden: boolean,
): AnyCommand {
  return defineCommand({
    name,
    aliases,
    summary: "Who holds the pager now and who is next (also: who is on call [for <schedule>])",
    examples: hidden ? [] : ["oncall", "oncall ops", "who is on call for ops"],
    args: { schedule: scheduleArg },
    permission: PERMISSIONS.read,
    hidden,
    prepare: ({ args }) => {
      const schedule = args.schedule
        ?.replace(/^for\s+/i, "")
        .replace(/\?$/, "")
        .trim();
      return { schedule: schedule ? schedule : undefined };
    },
    async handler({ args, actor }) {
      const { provider, config } = handle.state;
      const schedules = args.schedule ? [await provider.schedule(args.schedule)] : await provider.schedules();
      if (schedules.length === 0) return "No schedules are configured.";
      return (await onCallLines(provider, schedules, (s) => zoneFor(config, actor.id, s.timeZone))).join("\n");
    },
  });
}

function amIOnCallCommand(handle: PluginHandle<PagingState>): AnyCommand {
  return defineCommand({
    name: "am i on call",
    aliases: ["am i on call?"],
    summary: "Whether you hold the pager of any schedule",
    examples: ["am I on call"],
    permission: PERMISSIONS.read,
    async handler({ actor }) {
      const { provider, config } = handle.state;
      const me = (await provider.acting(actor.id)).person;
      const now = new Date();
      const lines = await Promise.all(
        (await provider.schedules()).map(async (schedule) => {
          const [current] = await provider.onCall(schedule, now, new Date(now.getTime() + 1));
          const zone = zoneFor(config, actor.id, schedule.timeZone);
          if (!current) return `No, nobody is on call for ${schedule.name}.`;
          const mine = (me.id !== undefined && current.person.id === me.id) || current.person.principal === actor.id;
          if (mine) return `Yes, you are on call for ${schedule.name}, ${untilText(current, zone, now)}.`;
          return `No, not for ${schedule.name} (${current.person.name} is).`;
        }),
      );
      return lines.join("\n") || "No schedules are configured.";
    },
  });
}

/** The on-call commands. */
export function oncallCommands(handle: PluginHandle<PagingState>): AnyCommand[] {
  return [
    oncallCommand(handle, "oncall", ["on-call"], false),
    // hubot-pager-me's phrasings, with the straight apostrophe (core's tokenizer keeps it inside a word) and the
    // typographic one that chat clients substitute.
    oncallCommand(
      handle,
      "who is on call",
      [
        "who is on call?",
        "who's on call",
        "who's on call?",
        "whos on call",
        "whos on call?",
        "who\u2019s on call",
        "who\u2019s on call?",
      ],
      true,
    ),
    amIOnCallCommand(handle),
  ];
}
