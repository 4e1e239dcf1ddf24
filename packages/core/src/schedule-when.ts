/**
 * When a schedule runs: the words of `schedule add` turned into a cron expression, a fixed interval or one moment,
 * and the due times they give in a time zone. Cron arithmetic (time zones, DST gaps and repeats) is croner's.
 * @module
 */
import { Cron } from "croner";
import { formatDuration, parseDuration } from "./duration.js";
import { UserError } from "./errors.js";
import type { PolicyConfig } from "./policy-config.js";

/** How a schedule repeats. Times are ISO-8601; `every` counts from `anchor` in absolute time (no DST shift). */
export type ScheduleSpec =
  | { kind: "cron"; expr: string }
  | { kind: "every"; ms: number; anchor: string }
  | { kind: "once"; at: string };

/** The result of reading the words at the start of `schedule add`. */
export interface ParsedWhen {
  spec: ScheduleSpec;
  /** How many words the time took; the rest is the command line. */
  used: number;
}

const DAYS = ["sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday"];
const CRON_FIELD = /^[\d*/,?-]+$/;
const USAGE =
  'a cron expression ("0 9 * * 1-5"), "every 15m", "every day at 09:00", "every weekday at 09:00", "every monday at 08:00", "in 2h", "at 17:00", "tomorrow 08:30" or "on 2026-03-01 at 08:30"';

/** Whether `zone` is an IANA time zone this runtime knows. */
export function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat("en", { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

/** The time zone of the process (`TZ`, else the system's). */
export function systemTimeZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone;
}

/** A principal's configured `timezone` (undefined for anyone else, prototype keys included). */
export function timezoneOf(policy: PolicyConfig, actorId: string): string | undefined {
  return Object.hasOwn(policy.principals, actorId) ? policy.principals[actorId]!.timezone : undefined;
}

/** A configured time zone, checked, or the process's. Throws naming the zone when the runtime does not know it. */
export function resolveTimeZone(zone: string | undefined): string {
  if (zone === undefined) return systemTimeZone();
  if (!isTimeZone(zone)) throw new Error(`unknown time zone "${zone}" (use an IANA name such as Europe/Berlin)`);
  return zone;
}

/** Parsed cron expressions by zone and expression (a schedule is checked often; parsing is the costly part). */
const parsed = new Map<string, Cron>();

function cronOf(expr: string, timezone: string): Cron {
  const key = `${timezone}\u0000${expr}`;
  const known = parsed.get(key);
  if (known) return known;
  let cron: Cron;
  try {
    cron = new Cron(expr, { timezone, paused: true });
  } catch (error) {
    throw new UserError(`not a valid time: ${(error as Error).message}`, USAGE);
  }
  if (parsed.size >= 1000) parsed.clear();
  parsed.set(key, cron);
  return cron;
}

/** `09:00`, `9:00`, `9` → [hour, minute]; undefined when not a time of day. */
function timeOfDay(word: string | undefined): [number, number] | undefined {
  const match = /^(\d{1,2})(?::(\d{2}))?$/.exec(word ?? "");
  if (!match) return undefined;
  const hour = Number(match[1]);
  const minute = Number(match[2] ?? 0);
  return hour < 24 && minute < 60 ? [hour, minute] : undefined;
}

/** The calendar date (`YYYY-MM-DD`) in `timezone` at `now`, shifted by `days`. */
function localDate(now: Date, timezone: string, days = 0): string {
  const [y, m, d] = new Intl.DateTimeFormat("en-CA", {
    timeZone: timezone,
    year: "numeric",
    month: "2-digit",
    day: "2-digit",
  })
    .format(now)
    .split("-")
    .map(Number) as [number, number, number];
  return new Date(Date.UTC(y, m - 1, d + days)).toISOString().slice(0, 10);
}

/** The moment a local date and time in `timezone` stands for (a time in a DST gap moves forward by the gap). */
function localMoment(date: string, [hour, minute]: [number, number], timezone: string): Date {
  const iso = `${date}T${String(hour).padStart(2, "0")}:${String(minute).padStart(2, "0")}:00`;
  const at = cronOf(iso, timezone).nextRun(new Date(new Date(`${date}T00:00:00Z`).getTime() - 2 * 86_400_000));
  if (!at) throw new UserError(`no such time: ${date} ${iso.slice(11, 16)}`, USAGE);
  return at;
}

/** A duration in words: `15m`, `2h`, or `15 minutes`, `2 hours`; returns [ms, words used]. */
function durationAt(words: string[], i: number): [number, number] | undefined {
  const compact = parseDuration(words[i] ?? "");
  if (compact !== undefined) return [compact, 1];
  const amount = Number(words[i]);
  const unit = /^(second|minute|hour|day|week)s?$/.exec(words[i + 1]?.toLowerCase() ?? "")?.[1];
  if (!Number.isInteger(amount) || amount <= 0 || !unit) return undefined;
  const size = { second: 1000, minute: 60_000, hour: 3_600_000, day: 86_400_000, week: 604_800_000 }[unit]!;
  return [amount * size, 2];
}

/** `at 09:00` / `09:00` at words[i]: [time, words used]. */
function atTime(words: string[], i: number): [[number, number], number] | undefined {
  const skip = words[i]?.toLowerCase() === "at" ? 1 : 0;
  const time = timeOfDay(words[i + skip]);
  return time ? [time, skip + 1] : undefined;
}

/**
 * Reads the time words at the start of `words` (see the usage in errors for the forms), in `timezone`, at `now`.
 * Throws a {@link UserError} naming the accepted forms when they are not a time.
 */
export function parseWhen(words: string[], timezone: string, now: Date): ParsedWhen {
  const first = words[0]?.toLowerCase() ?? "";
  // A quoted cron expression ("0 9 * * 1-5"), or five cron fields of digits and * / , - ?.
  if (/\s/.test(first.trim())) {
    cronOf(first, timezone);
    return { spec: { kind: "cron", expr: words[0]!.trim() }, used: 1 };
  }
  if (words.length >= 5 && words.slice(0, 5).every((w) => CRON_FIELD.test(w))) {
    const expr = words.slice(0, 5).join(" ");
    cronOf(expr, timezone);
    return { spec: { kind: "cron", expr }, used: 5 };
  }
  if (first === "every") {
    const interval = durationAt(words, 1);
    if (interval) return { spec: { kind: "every", ms: interval[0], anchor: now.toISOString() }, used: 1 + interval[1] };
    const what = words[1]?.toLowerCase() ?? "";
    const days =
      what === "day"
        ? "*"
        : what === "weekday"
          ? "1-5"
          : what === "weekend"
            ? "0,6"
            : what
                  .split(",")
                  .map((d) => DAYS.indexOf(d.replace(/s$/, "")))
                  .every((d) => d >= 0)
              ? what
                  .split(",")
                  .map((d) => DAYS.indexOf(d.replace(/s$/, "")))
                  .join(",")
              : undefined;
    const time = atTime(words, 2);
    if (days !== undefined && time) {
      const [[hour, minute], used] = time;
      const expr = `${minute} ${hour} * * ${days}`;
      cronOf(expr, timezone);
      return { spec: { kind: "cron", expr }, used: 2 + used };
    }
  }
  if (first === "in") {
    const wait = durationAt(words, 1);
    if (wait) return { spec: { kind: "once", at: new Date(now.getTime() + wait[0]).toISOString() }, used: 1 + wait[1] };
  }
  if (first === "today" || first === "tomorrow") {
    const time = atTime(words, 1);
    if (time) {
      const at = localMoment(localDate(now, timezone, first === "tomorrow" ? 1 : 0), time[0], timezone);
      if (at.getTime() <= now.getTime()) throw new UserError(`${first} ${words[1]} has already passed`);
      return { spec: { kind: "once", at: at.toISOString() }, used: 1 + time[1] };
    }
  }
  if (first === "at") {
    const time = timeOfDay(words[1]);
    if (time) {
      let at = localMoment(localDate(now, timezone), time, timezone);
      if (at.getTime() <= now.getTime()) at = localMoment(localDate(now, timezone, 1), time, timezone);
      return { spec: { kind: "once", at: at.toISOString() }, used: 2 };
    }
  }
  if (first === "on" && /^\d{4}-\d{2}-\d{2}$/.test(words[1] ?? "")) {
    const time = atTime(words, 2);
    if (time) {
      const at = localMoment(words[1]!, time[0], timezone);
      if (at.getTime() <= now.getTime()) throw new UserError(`${words[1]} has already passed`);
      return { spec: { kind: "once", at: at.toISOString() }, used: 2 + time[1] };
    }
  }
  throw new UserError(`"${words.slice(0, 3).join(" ")}" is not a time I understand`, `use ${USAGE}`);
}

/** The first due time of `spec` strictly after `after`, in `timezone`; undefined when there is none. */
export function nextDue(spec: ScheduleSpec, timezone: string, after: Date): Date | undefined {
  switch (spec.kind) {
    case "cron":
      return cronOf(spec.expr, timezone).nextRun(after) ?? undefined;
    case "every": {
      const anchor = Date.parse(spec.anchor);
      const steps = Math.max(0, Math.floor((after.getTime() - anchor) / spec.ms) + 1);
      return new Date(anchor + steps * spec.ms);
    }
    case "once": {
      const at = new Date(spec.at);
      return at.getTime() > after.getTime() ? at : undefined;
    }
  }
}

/** The latest due time of `spec` at or before `time` (undefined when there is none): one step, however far back. */
export function lastDue(spec: ScheduleSpec, timezone: string, time: Date): Date | undefined {
  const t = time.getTime();
  switch (spec.kind) {
    case "cron":
      // croner strips milliseconds from the reference; a cron time is a whole second, so look 1 s later and filter.
      return cronOf(spec.expr, timezone)
        .previousRuns(2, new Date(t + 1000))
        .find((d) => d.getTime() <= t);
    case "every": {
      const anchor = Date.parse(spec.anchor);
      const steps = Math.floor((t - anchor) / spec.ms);
      return steps >= 1 ? new Date(anchor + steps * spec.ms) : undefined;
    }
    case "once":
      return Date.parse(spec.at) <= t ? new Date(spec.at) : undefined;
  }
}

/** The shortest gap between the next `count` due times (Infinity for a one-time schedule). */
export function shortestGap(spec: ScheduleSpec, timezone: string, from: Date, count = 50): number {
  if (spec.kind === "every") return spec.ms;
  let previous = nextDue(spec, timezone, from);
  let shortest = Number.POSITIVE_INFINITY;
  for (let i = 0; previous && i < count; i++) {
    const next = nextDue(spec, timezone, previous);
    if (!next) break;
    shortest = Math.min(shortest, next.getTime() - previous.getTime());
    previous = next;
  }
  return shortest;
}

/** How a schedule is described in lists: its cron expression, interval or moment, and zone. */
export function describeSpec(spec: ScheduleSpec, timezone: string): string {
  if (spec.kind === "cron") return `cron ${spec.expr} (${timezone})`;
  if (spec.kind === "every") return `every ${formatDuration(spec.ms)}`;
  return `once at ${formatInZone(new Date(spec.at), timezone)}`;
}

/** `2026-03-29 03:00 Europe/Berlin`. */
export function formatInZone(date: Date, timezone: string): string {
  const parts = new Intl.DateTimeFormat("en-CA", {
    timeZone: timezone,
    year: "numeric",
    month: "2-digit",
    day: "2-digit",
    hour: "2-digit",
    minute: "2-digit",
    hourCycle: "h23",
  }).formatToParts(date);
  const get = (type: string) => parts.find((p) => p.type === type)?.value ?? "";
  return `${get("year")}-${get("month")}-${get("day")} ${get("hour")}:${get("minute")} ${timezone}`;
}
