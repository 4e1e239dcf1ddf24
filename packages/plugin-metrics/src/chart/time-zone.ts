/**
 * Wall-clock time in a configured zone. ECharts formats time in the process's zone or in UTC; drawing in UTC
 * with every timestamp shifted by the zone's offset puts ticks and labels on the zone's round hours.
 * @module
 */

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat("en-US", {
      timeZone,
      hourCycle: "h23",
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
      hour: "2-digit",
      minute: "2-digit",
      second: "2-digit",
    });
    formatters.set(timeZone, f);
  }
  return f;
}

/** The zone's offset from UTC at `time` (epoch ms), in ms (Europe/Berlin in winter: +3,600,000). */
export function zoneOffset(timeZone: string, time: number): number {
  const parts: Record<string, number> = {};
  for (const part of formatter(timeZone).formatToParts(new Date(time))) {
    if (part.type !== "literal") parts[part.type] = Number(part.value);
  }
  const wall = Date.UTC(parts.year!, parts.month! - 1, parts.day!, parts.hour!, parts.minute!, parts.second!);
  return wall - Math.floor(time / 1000) * 1000;
}

/** A function shifting epoch ms to "wall clock as UTC" for the zone; constant-time when no DST change is in range. */
export function wallClock(timeZone: string, from: number, until: number): (time: number) => number {
  const start = zoneOffset(timeZone, from);
  const end = zoneOffset(timeZone, until);
  if (start === end) return (time) => time + start;
  return (time) => time + zoneOffset(timeZone, time);
}

/** `14:05` or `Mon 14:05` style time for titles, in the zone. */
export function formatWallTime(timeZone: string, time: number, { withDate }: { withDate: boolean }): string {
  return new Intl.DateTimeFormat("en-GB", {
    timeZone,
    hourCycle: "h23",
    ...(withDate ? { month: "short", day: "numeric" } : {}),
    hour: "2-digit",
    minute: "2-digit",
  }).format(new Date(time));
}
