/**
 * ok/warn/fail for a value against an alias's thresholds.
 * @module
 */
import type { Thresholds } from "./config.js";

export type Level = "ok" | "warn" | "fail";

/** The level of a value; undefined without thresholds or without a value. */
export function levelOf(value: number | null, thresholds: Thresholds | undefined): Level | undefined {
  if (!thresholds || value === null || Number.isNaN(value)) return undefined;
  const beyond = (limit: number | undefined) =>
    limit !== undefined && (thresholds.below ? value <= limit : value >= limit);
  if (beyond(thresholds.fail)) return "fail";
  if (beyond(thresholds.warn)) return "warn";
  return "ok";
}

/** The worst of several levels. */
export function worst(levels: Array<Level | undefined>): Level | undefined {
  if (levels.includes("fail")) return "fail";
  if (levels.includes("warn")) return "warn";
  return levels.includes("ok") ? "ok" : undefined;
}
