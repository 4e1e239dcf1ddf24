/**
 * Value units: guessed from the query (Prometheus naming conventions) or set on an alias, and formatted for the
 * value axis, the alt text and the sparkline line.
 * @module
 */
import { formatDuration } from "@switchboard/core";
import { z } from "zod";

/** Units the value axis knows. `ratio` is 0–1 shown as percent; `percent` is already 0–100. */
export const UNITS = ["none", "bytes", "bytes/s", "seconds", "percent", "ratio", "ops/s", "bits/s"] as const;
export type Unit = (typeof UNITS)[number];
export const unitSchema = z.enum(UNITS);

/** The unit a query's values most likely have, from metric-name suffixes and rate functions. */
export function guessUnit(query: string): Unit {
  const perSecond = /\b(?:i?rate|deriv)\s*\(|\bperSecond\s*\(|\bnonNegativeDerivative\s*\(/.test(query);
  if (/_bytes(?:_total)?\b/.test(query)) return perSecond ? "bytes/s" : "bytes";
  if (/_bits(?:_total)?\b/.test(query) && perSecond) return "bits/s";
  if (/_seconds(?:_total|_sum|_count|_bucket)?\b/.test(query) && !perSecond) return "seconds";
  if (/_ratio\b/.test(query)) return "ratio";
  if (/_percent\b/.test(query)) return "percent";
  if (perSecond) return "ops/s";
  return "none";
}

/** Formats a number with at most 3 significant digits and an SI prefix (1.23k, 45.6M, 0.012). */
function si(value: number, base = 1000, prefixes = ["", "k", "M", "G", "T", "P"]): string {
  const abs = Math.abs(value);
  if (abs === 0) return "0";
  if (abs < 1) return trim(value.toPrecision(2));
  let i = 0;
  let scaled = value;
  while (Math.abs(scaled) >= base && i < prefixes.length - 1) {
    scaled /= base;
    i++;
  }
  return `${trim(Math.abs(scaled) >= 100 ? scaled.toFixed(0) : scaled.toPrecision(3))}${prefixes[i]}`;
}

const trim = (text: string) => (text.includes(".") && !text.includes("e") ? text.replace(/\.?0+$/, "") : text);

/** A value with its unit: `1.5 MiB`, `250ms`, `42%`, `12/s`. */
export function formatValue(value: number | null | undefined, unit: Unit): string {
  if (value === null || value === undefined || Number.isNaN(value)) return "–";
  if (!Number.isFinite(value)) return value > 0 ? "+Inf" : "-Inf";
  switch (unit) {
    case "bytes":
      return `${si(value, 1024, ["", "Ki", "Mi", "Gi", "Ti", "Pi"])}B`;
    case "bytes/s":
      return `${si(value, 1024, ["", "Ki", "Mi", "Gi", "Ti", "Pi"])}B/s`;
    case "bits/s":
      return `${si(value)}b/s`;
    case "seconds":
      return formatDuration(value * 1000);
    case "percent":
      return `${si(value)}%`;
    case "ratio":
      return `${si(value * 100)}%`;
    case "ops/s":
      return `${si(value)}/s`;
    case "none":
      return si(value);
  }
}

/** How the unit is named on the value axis (empty for none). */
export function unitLabel(unit: Unit): string {
  return unit === "none" ? "" : unit === "ratio" ? "percent" : unit;
}
