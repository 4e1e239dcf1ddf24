/**
 * Replies for fleet runs: a headline, the grouped changes and failures, and, when that is longer than the room
 * should see, the first lines in the room and the whole summary to the asker privately.
 * @module
 */
import { type Block, type CommandContext, formatDuration, out, type StatusLevel } from "@switchboard/core";
import { type FleetSummary, summaryItems } from "./fleet-summary.js";
import { printable } from "./names.js";
import type { HostRun } from "./run-result.js";
import type { PuppetState } from "./state.js";

/** One line of progress for a finished host: `fs1: 2 changes pending (3.1s)`. */
export function hostLine(run: HostRun): string {
  const took = formatDuration(run.durationMs);
  if (!run.ok) {
    const first = run.failures[0];
    const why = first ? `${first.resource ? `${first.resource}: ` : ""}${first.message.split("\n")[0]}` : "failed";
    return `${run.host}: ✖ failed: ${printable(why, 160)} (${took})`;
  }
  const n = run.changes.length;
  if (n === 0) return `${run.host}: no changes (${took})`;
  const what = run.mode === "noop" ? "pending" : "applied";
  return `${run.host}: ${n} ${n === 1 ? "change" : "changes"} ${what} (${took})`;
}

/**
 * The reply for a summary: short enough for the room as it is, or cut to `output.roomLines` with the whole of it
 * sent to the asker (where they can receive direct messages; otherwise all of it goes to the room).
 */
export async function summaryReply(
  state: PuppetState,
  ctx: Pick<CommandContext<unknown>, "actor">,
  headline: { level: StatusLevel; text: string },
  summary: FleetSummary,
  verb: string,
  extra: Block[] = [],
): Promise<Block[]> {
  const status = out.status(headline.level, headline.text);
  const items = summaryItems(summary, { diffLines: state.config.output.diffLines, verb });
  const all = [status, ...items.map((i) => i.block), ...extra];
  const total = items.reduce((n, i) => n + i.lines, 0) + extra.length;
  const room = state.config.output.roomLines;
  if (total <= room) return all;
  const shown: Block[] = [status];
  let used = 0;
  for (const item of items) {
    if (used + item.lines > room - 2) break;
    shown.push(item.block);
    used += item.lines;
  }
  const reached = await state.directMessage(ctx.actor.id, all).catch(() => []);
  if (reached.length === 0) return all;
  shown.push(...extra);
  shown.push(out.text(`… ${total - used} more lines: the whole summary was sent to ${ctx.actor.name} privately`));
  return shown;
}

/** `12s` for a list of runs (the longest, as they ran side by side or in batches). */
export function took(startedAt: number): string {
  return formatDuration(Date.now() - startedAt);
}
