/**
 * Time ranges in hubot-graphme's grammar (`-1h`, `-6h..-1h`, `now`) and the step that keeps a series under the
 * point cap.
 * @module
 */
import { UserError } from "@switchboard/core";

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

const unitMs: Record<string, number> = {
  s: SECOND,
  sec: SECOND,
  secs: SECOND,
  second: SECOND,
  seconds: SECOND,
  m: MINUTE,
  min: MINUTE,
  mins: MINUTE,
  minute: MINUTE,
  minutes: MINUTE,
  h: HOUR,
  hour: HOUR,
  hours: HOUR,
  d: DAY,
  day: DAY,
  days: DAY,
  w: 7 * DAY,
  week: 7 * DAY,
  weeks: 7 * DAY,
  mon: 30 * DAY,
  month: 30 * DAY,
  months: 30 * DAY,
  y: 365 * DAY,
  year: 365 * DAY,
  years: 365 * DAY,
};

/** One end of a range as typed: `-1h` (or `1h`, meaning the same), `now`. */
export const RELATIVE_TIME = /^(?:now|[-+]?\d{1,6}[a-z]{1,7})$/i;

/** Milliseconds before now for `-1h`, `1h`, `now`; undefined when the word is not a relative time. */
export function parseRelativeTime(word: string): number | undefined {
  const text = word.toLowerCase();
  if (text === "now") return 0;
  const match = /^([-+]?)(\d{1,6})([a-z]{1,7})$/.exec(text);
  if (!match) return undefined;
  const size = Object.hasOwn(unitMs, match[3]!) ? unitMs[match[3]!] : undefined;
  if (size === undefined || match[1] === "+") return undefined;
  return Number(match[2]) * size;
}

/** An absolute range in epoch milliseconds, with the words it came from (for titles). */
export interface TimeRange {
  from: number;
  until: number;
  /** How the range reads in a title: `last 1h`, `-6h..-1h`. */
  label: string;
}

/** Resolves `from[..until]` against `now`; throws a UserError for a range that is empty or longer than `maxMs`. */
export function resolveRange(text: string, now: number, maxMs: number): TimeRange {
  const [fromText, untilText, extra] = text.split("..");
  const before = parseRelativeTime(fromText ?? "");
  const untilBefore = untilText === undefined ? 0 : parseRelativeTime(untilText);
  if (extra !== undefined || before === undefined || untilBefore === undefined)
    throw new UserError(`"${text}" is not a time range`, "use -1h, -30m, -7d, or -6h..-1h");
  if (before <= untilBefore) throw new UserError(`the range ${text} is empty: its start is not before its end`);
  if (before - untilBefore > maxMs)
    throw new UserError(`the range ${text} is longer than the limit of ${describeSpan(maxMs)}`);
  const label = untilBefore === 0 ? `last ${describeSpan(before)}` : `${fromText}..${untilText}`;
  return { from: now - before, until: now - untilBefore, label };
}

/** `1h`, `90m` → `1h30m`-style text for titles and messages. */
export function describeSpan(ms: number): string {
  const parts: string[] = [];
  let rest = Math.round(ms / SECOND);
  for (const [unit, size] of [
    ["d", 86_400],
    ["h", 3_600],
    ["m", 60],
    ["s", 1],
  ] as const) {
    if (rest >= size) {
      parts.push(`${Math.floor(rest / size)}${unit}`);
      rest %= size;
    }
  }
  return parts.slice(0, 2).join("") || "0s";
}

const niceSteps = [
  1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10_800, 21_600, 43_200, 86_400, 172_800, 604_800,
].map((s) => s * SECOND);

/**
 * The step for a range: the smallest "round" step (1s, 5s, 1m, 5m, 1h, …) that is at least `minStepMs` and keeps
 * the number of points per series at or below `maxPoints`.
 */
export function stepFor(range: Pick<TimeRange, "from" | "until">, maxPoints: number, minStepMs = SECOND): number {
  const needed = Math.max(minStepMs, (range.until - range.from) / Math.max(1, maxPoints - 1));
  const nice = niceSteps.find((s) => s >= needed);
  return nice ?? Math.ceil(needed / DAY) * DAY;
}

/** The number of points a range has at a step (both ends included). */
export function pointCount(range: Pick<TimeRange, "from" | "until">, stepMs: number): number {
  return Math.floor((range.until - range.from) / stepMs) + 1;
}
