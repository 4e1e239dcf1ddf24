/**
 * What `logs` shows: one section per host and source, the room's share capped at `output.roomLines` (the newest lines
 * of each section), and the whole output for the asker privately when it did not fit.
 * @module
 */
import { type Block, formatDuration, out } from "@switchboard/core";
import type { SourceResult } from "./read.js";

/** What was asked, for the headline. */
export interface Asked {
  service: string;
  since?: number;
  grep?: string;
  lines: number;
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`;

/** `web: 12 lines from 2 hosts since 10m matching "error"`. */
export function headline(asked: Asked, results: SourceResult[], shown: number): string {
  const total = results.reduce((sum, r) => sum + r.lines.length, 0);
  const hosts = new Set(results.map((r) => r.host)).size;
  const filters = [
    asked.since !== undefined ? `since ${formatDuration(asked.since)} ago` : undefined,
    asked.grep !== undefined ? `matching "${asked.grep}"` : undefined,
  ].filter(Boolean);
  const count = shown < total ? `${shown} of ${plural(total, "line")}` : plural(total, "line");
  return `${asked.service}: ${count} from ${plural(hosts, "host")}${filters.length ? ` ${filters.join(" ")}` : ""}`;
}

function sectionTitle(result: SourceResult, shown: number): string {
  const more =
    result.matched > shown
      ? ` (newest ${shown} of ${result.matched}${result.windowFull ? "+" : ""} matching)`
      : result.windowFull && result.matched === 0
        ? " (none in the newest lines searched)"
        : "";
  return `${result.host} ${result.source}${more}`;
}

/** Blocks for the sections, each cut to its newest `perSection(result)` lines. */
function sections(results: SourceResult[], perSection: (r: SourceResult) => number): Block[] {
  const blocks: Block[] = [];
  for (const result of results) {
    if (result.error) {
      blocks.push(out.status("fail", `${result.host} ${result.source}: ${result.error}`));
      continue;
    }
    const keep = Math.min(result.lines.length, perSection(result));
    blocks.push(out.text(sectionTitle(result, keep)));
    if (keep > 0) blocks.push(out.code(result.lines.slice(-keep).join("\n")));
  }
  return blocks;
}

/** The whole output (for a private message, or the room when it fits). */
export function fullOutput(asked: Asked, results: SourceResult[]): Block[] {
  const total = results.reduce((sum, r) => sum + r.lines.length, 0);
  const failed = results.some((r) => r.error);
  return [
    out.status(failed ? "warn" : "ok", headline(asked, results, total)),
    ...sections(results, (r) => r.lines.length),
  ];
}

/** Whether the whole output fits the room. */
export function fitsRoom(results: SourceResult[], roomLines: number): boolean {
  return results.reduce((sum, r) => sum + r.lines.length, 0) <= roomLines;
}

/** The room's share: the newest lines of each section, `roomLines` in all (at least one per section that has any). */
export function roomOutput(asked: Asked, results: SourceResult[], roomLines: number, rest: string): Block[] {
  const withLines = results.filter((r) => !r.error && r.lines.length > 0).length || 1;
  const each = Math.max(1, Math.floor(roomLines / withLines));
  const shown = results.reduce((sum, r) => sum + (r.error ? 0 : Math.min(r.lines.length, each)), 0);
  const failed = results.some((r) => r.error);
  return [
    out.status(failed ? "warn" : "ok", headline(asked, results, shown)),
    ...sections(results, () => each),
    out.text(rest),
  ];
}
