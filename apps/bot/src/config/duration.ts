import { parseDuration } from "@switchboard/core";
import { z } from "zod";

/** A duration in config: a string such as `30s`, `15m`, `1h30m` (or a number of milliseconds); parsed to ms. */
export const durationSchema = z.union([z.number(), z.string()]).transform((value, ctx) => {
  const ms = typeof value === "number" ? value : parseDuration(value);
  if (ms === undefined || !Number.isInteger(ms) || ms <= 0) {
    ctx.addIssue({ code: "custom", message: "not a duration: use a number with a unit, e.g. 30s, 15m, 2h, 1h30m" });
    return z.NEVER;
  }
  return ms;
});
