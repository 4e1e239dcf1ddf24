/**
 * Times for people: shown in the asker's time zone when the configuration names one, else in the schedule's.
 * @module
 */
import { parseDuration, UserError } from "@switchboard/core";

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(zone: string): Intl.DateTimeFormat {
  let format = formatters.get(zone);
  if (!format) {
    format = new Intl.DateTimeFormat("en-GB", {
      timeZone: zone,
      weekday: "short",
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
      hour: "2-digit",
      minute: "2-digit",
      hourCycle: "h23",
      timeZoneName: "short",
    });
    formatters.set(zone, format);
  }
  return format;
}

/** `Wed 2026-11-25 14:00 GMT+1` in `zone`. */
export function formatTime(time: Date, zone: string): string {
  const parts: Record<string, string> = {};
  for (const part of formatter(zone).formatToParts(time)) parts[part.type] = part.value;
  return `${parts.weekday} ${parts.year}-${parts.month}-${parts.day} ${parts.hour}:${parts.minute} ${parts.timeZoneName}`;
}

/** `14:00 GMT+1` when `time` is on the same local day as `now`, else the full form. */
export function formatTimeShort(time: Date, zone: string, now = new Date()): string {
  const full = formatTime(time, zone);
  const today = formatTime(now, zone);
  return full.slice(0, 14) === today.slice(0, 14) ? full.slice(15) : full;
}

/** The longest override `pager me` takes. */
export const MAX_PAGER_ME_MS = 7 * 86_400_000;

/**
 * Reads the duration of `pager me` and `pager maintenance`: `1h`, `30m`, `1h30m`, or a bare number of minutes as
 * hubot-pager-me took it (`pager me ops 60`).
 */
export function parsePagerDuration(text: string, max = MAX_PAGER_ME_MS): number {
  const ms = /^\d{1,5}$/.test(text) ? Number(text) * 60_000 : parseDuration(text);
  if (ms === undefined || ms <= 0)
    throw new UserError(`"${text}" is not a duration`, "use 30m, 1h, 1h30m, or a number of minutes");
  if (ms > max) throw new UserError(`${text} is too long`, `at most ${Math.round(max / 3_600_000)}h`);
  return ms;
}
