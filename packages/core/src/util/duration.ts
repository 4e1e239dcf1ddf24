import { z } from "zod";

const units: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

/** Parses `90s`, `15m`, `1h30m`, `2d` into milliseconds; undefined when it is not a duration. */
export function parseDuration(text: string): number | undefined {
  const trimmed = text.trim().toLowerCase();
  if (!/^(\d+(ms|s|m|h|d|w))+$/.test(trimmed)) return undefined;
  let total = 0;
  for (const [, amount, unit] of trimmed.matchAll(/(\d+)(ms|s|m|h|d|w)/g)) total += Number(amount) * units[unit!]!;
  return total;
}

/**
 * Formats milliseconds compactly: `450ms`, `12s`, `5m`, `1h30m`, `2d`. Fractions of a millisecond keep three
 * significant digits (`1.25ms`, `250µs`, as latencies need), and a negative duration gets a `-`.
 */
export function formatDuration(ms: number): string {
  if (ms < 0) return `-${formatDuration(-ms)}`;
  if (ms > 0 && ms < 1) return `${Number((ms * 1000).toPrecision(3))}µs`;
  if (ms < 100) return `${Number(ms.toPrecision(3))}ms`;
  if (ms < 1000) return `${Math.round(ms)}ms`;
  if (ms < 60_000) return `${Math.round(ms / 100) / 10}s`.replace(".0s", "s");
  const parts: string[] = [];
  let rest = Math.round(ms / 1000);
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
    if (parts.length === 2) break;
  }
  return parts.join("");
}

/**
 * A duration in configuration: a string such as `30s`, `15m`, `1h30m`, or a positive whole number of
 * milliseconds; parsed to milliseconds. The one duration schema every package uses.
 */
export const durationSchema = z.union([z.number(), z.string()]).transform((value, ctx) => {
  const ms = typeof value === "number" ? value : parseDuration(value);
  if (ms === undefined || !Number.isInteger(ms) || ms <= 0) {
    ctx.addIssue({ code: "custom", message: "not a duration: use a number with a unit, e.g. 30s, 15m, 2h, 1h30m" });
    return z.NEVER;
  }
  return ms;
});
