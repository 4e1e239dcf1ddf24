/**
 * From an outgoing message to the IRC lines that carry it: rendering, the asker's nick in channels, splitting to
 * the byte limit, the channel cap (the rest goes to the asker in private), and coalescing of job progress.
 * @module
 */
import type { OutgoingMessage, ReplyTarget } from "@switchboard/core";
import type { Coalesce, OutLine } from "./flood-queue.js";
import { type SelfMask, textBudget } from "./line-budget.js";
import { renderIrcLines } from "./render.js";
import { splitToBytes } from "./split.js";

/** What planning needs to know besides the message. */
export interface PlanContext {
  self: SelfMask;
  colors: boolean;
  channelLines: number;
  progressLines: number;
  /** Case-folds a target name (the queue key). */
  fold(text: string): string;
  /** Tags for lines answering the original message (`+draft/reply`), when the server takes them. */
  replyTags?: Record<string, string>;
  /**
   * Whether a nick is, right now, held by this services account (as tracked from the server). The private rest of a
   * reply to an identified asker goes to their nick only while their account still holds it.
   */
  holdsAccount?(nick: string, account: string): boolean;
  /** A signed web-view link to the job's page for its requester, when the bot has a web view (core's host). */
  jobLink?(jobId: string): string | undefined;
}

/** Lines for one target, in order. */
export interface PlannedBatch {
  key: string;
  target: string;
  lines: OutLine[];
  /** Set for job progress: waiting progress of the same job merges instead of queueing more. */
  merge?: { mergeKey: string; coalesce: Coalesce };
  /** The private rest of a capped reply: it waits while other targets have lines to send. */
  background?: boolean;
}

function privmsg(target: string, text: string, tags?: Record<string, string>): OutLine {
  return tags ? { command: "PRIVMSG", target, text, tags } : { command: "PRIVMSG", target, text };
}

/** Keeps the newest `limit` lines of progress, the first of them saying how many older ones were skipped. */
export function progressCoalescer(limit: number, marker: (skipped: number) => string): Coalesce {
  return (waiting, newer) => {
    const all = [...waiting, ...newer];
    const skippedBefore = all.reduce((n, line) => n + (line.skipped ?? 0), 0);
    const content = all.filter((line) => line.skipped === undefined);
    if (content.length <= limit && skippedBefore === 0) return content;
    const keep = content.slice(-(limit - 1));
    const skipped = skippedBefore + content.length - keep.length;
    const first = content[0]!;
    return [{ ...first, text: marker(skipped), skipped }, ...keep];
  };
}

/** The line that ends a private rest: the whole output on the job's page (only to the asker, never in the channel). */
function fullOutput(message: OutgoingMessage, context: PlanContext): string[] {
  const link = message.jobId === undefined ? undefined : context.jobLink?.(message.jobId);
  return link === undefined ? [] : [`full output: ${link}`];
}

/** Plans the lines of one outgoing message. */
export function planLines(target: ReplyTarget, message: OutgoingMessage, context: PlanContext): PlannedBatch[] {
  const room = target.room;
  const inChannel = !room.direct;
  let lines = renderIrcLines(message.blocks, { colors: context.colors });
  if (lines.length === 0) return [];
  const progress = message.kind === "progress";
  const asker = inChannel && !progress ? target.mention?.name : undefined;
  if (progress && message.jobId) lines = lines.map((line) => `[${message.jobId}] ${line}`);
  else if (asker) lines[0] = `${asker}: ${lines[0]}`;

  let budget = textBudget(context.self, room.id);
  if (asker) budget = Math.min(budget, textBudget(context.self, asker));
  const physical = lines.flatMap((line) => splitToBytes(line, budget));
  const tags = context.replyTags;
  const here = (texts: string[]) => texts.map((text) => privmsg(room.id, text, tags));
  // In a channel, each person's answers (replies and their jobs' progress) wait in their own queue, so the queue's
  // turns interleave people line by line: nobody's long or repeated output holds up someone else's answer.
  const person = inChannel ? target.mention?.id : undefined;
  const roomKey = person === undefined ? context.fold(room.id) : `${context.fold(room.id)}\u0000${person}`;

  if (progress) {
    const limit = context.progressLines;
    const prefix = message.jobId ? `[${message.jobId}] ` : "";
    const coalesce = progressCoalescer(limit, (n) => `${prefix}… ${n} earlier line${n === 1 ? "" : "s"} skipped`);
    return [
      {
        key: roomKey,
        target: room.id,
        lines: coalesce([], here(physical)),
        merge: { mergeKey: `progress:${message.jobId ?? ""}`, coalesce },
      },
    ];
  }

  const cap = context.channelLines;
  if (!inChannel || physical.length <= cap) return [{ key: roomKey, target: room.id, lines: here(physical) }];

  const shown = physical.slice(0, cap - 1);
  const rest = physical.slice(cap - 1);
  const count = `${rest.length} more line${rest.length === 1 ? "" : "s"}`;
  const mention = target.mention;
  const askerStillThere =
    asker !== undefined && (!mention?.verified || context.holdsAccount?.(asker, mention.id) === true);
  if (!asker || !askerStillThere) {
    const why = asker ? `; ${asker} no longer holds that nick's account, so not sent in private` : "";
    return [{ key: roomKey, target: room.id, lines: here([...shown, `(${count} not shown${why})`]) }];
  }
  return [
    {
      key: roomKey,
      target: room.id,
      lines: here([...shown, `${asker}: (${count} sent to you in private)`]),
    },
    {
      key: context.fold(asker),
      target: asker,
      lines: [`(the rest of my reply in ${room.id})`, ...rest, ...fullOutput(message, context)].map((text) =>
        privmsg(asker, text),
      ),
      background: true,
    },
  ];
}
