/**
 * Times at the start of log lines, for `--since` on files: ISO 8601 (`2026-12-07T02:34:02Z`, `2026-12-07 02:34:02,123`)
 * and the common log format of nginx and Apache (`[07/Dec/2026:02:34:02 +0000]`). The patterns are fixed and have
 * no nested repetition, so reading a line is linear in its length. Times without a zone are UTC.
 * @module
 */

/** The formats a file source may declare (`none`: its lines carry no time we read; `--since` is refused). */
export const TIMESTAMP_FORMATS = ["none", "iso8601", "clf"] as const;
/** A timestamp format. */
export type TimestampFormat = (typeof TIMESTAMP_FORMATS)[number];

const ISO = /^\s*\[?(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2}):(\d{2})(?:[.,](\d{1,9}))?\s?(Z|[+-]\d{2}:?\d{2})?/;
const CLF = /\[(\d{2})\/([A-Z][a-z]{2})\/(\d{4}):(\d{2}):(\d{2}):(\d{2}) ([+-]\d{4})\]/;
const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

/** Milliseconds east of UTC of `Z`, `+01:00`, `-0530`. */
function zoneOffset(zone: string | undefined): number {
  if (!zone || zone === "Z") return 0;
  const digits = zone.replace(":", "");
  const sign = digits.startsWith("-") ? -1 : 1;
  return sign * (Number(digits.slice(1, 3)) * 60 + Number(digits.slice(3, 5))) * 60_000;
}

function utc(y: string, mo: number, d: string, h: string, mi: string, s: string, ms = 0): number | undefined {
  const time = Date.UTC(Number(y), mo, Number(d), Number(h), Number(mi), Number(s), ms);
  return Number.isNaN(time) ? undefined : time;
}

/** The time a line starts with (milliseconds since the epoch), or undefined when it carries none in `format`. */
export function lineTime(line: string, format: TimestampFormat): number | undefined {
  if (format === "iso8601") {
    const m = ISO.exec(line);
    if (!m) return undefined;
    const ms = m[7] ? Number(m[7].slice(0, 3).padEnd(3, "0")) : 0;
    const time = utc(m[1]!, Number(m[2]) - 1, m[3]!, m[4]!, m[5]!, m[6]!, ms);
    return time === undefined ? undefined : time - zoneOffset(m[8]);
  }
  if (format === "clf") {
    const m = CLF.exec(line);
    if (!m) return undefined;
    const month = MONTHS.indexOf(m[2]!);
    if (month < 0) return undefined;
    const time = utc(m[3]!, month, m[1]!, m[4]!, m[5]!, m[6]!);
    return time === undefined ? undefined : time - zoneOffset(m[7]);
  }
  return undefined;
}
