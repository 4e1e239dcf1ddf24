/**
 * Rendering of the output model for Slack: Block Kit (sections, fields, context, header, buttons) with core's
 * plain-text rendering in `text`, split into as many messages as Slack's limits need. Nothing is ever cut off:
 * long code, tables and text continue in the next block or message.
 * @module
 */
import {
  type Block,
  type ImageBlock,
  type OutgoingMessage,
  renderBlockLines,
  renderTable,
  revealInvisibleBlocks,
} from "@switchboard/core";
import { actionIds, button, context, header, limits, type SlackBlock, section } from "./block-kit.js";
import { escapeMrkdwn, mrkdwnCode, mrkdwnLink } from "./slack-text.js";

/** One Slack message: blocks and their plain-text fallback (already escaped for the `text` field). */
export interface RenderedMessage {
  kind: "message";
  blocks: SlackBlock[];
  text: string;
}

/** A picture, uploaded as a file between the messages around it. */
export interface RenderedImage {
  kind: "image";
  image: ImageBlock;
}

export type RenderedPart = RenderedMessage | RenderedImage;

/** How much goes into one message besides Slack's block count (keeps `text` far below its 40,000 limit). */
export const maxFallbackChars = 12_000;

const statusEmoji = { ok: ":white_check_mark:", warn: ":warning:", fail: ":x:", info: ":information_source:" };

/** A Slack block with the plain text it stands for. */
interface Unit {
  block: SlackBlock;
  plain: string;
  /** The fallback when it is not the escaped plain text (a mention must stay a mention). */
  fallback?: string;
}

/** What one character costs once escaped: `&` → `&amp;`, `<`/`>` → `&lt;`/`&gt;`. */
type CharCost = (char: string) => number;

const textCost: CharCost = (c) => (c === "&" ? 5 : c === "<" || c === ">" ? 4 : c.length);
/** In code, a backtick may get a zero-width space after it (so ``` can't end the block): counted as two. */
const codeCost: CharCost = (c) => (c === "`" ? 2 : textCost(c));

/** The escaped size of `text` (an upper bound for code). */
function costOf(text: string, cost: CharCost): number {
  let size = 0;
  for (const char of text) size += cost(char);
  return size;
}

/** Splits a string into pieces of at most `budget` escaped size, never inside a code point. */
function hardSplit(text: string, budget: number, cost: CharCost): string[] {
  const pieces: string[] = [];
  let current = "";
  let size = 0;
  for (const char of text) {
    const c = cost(char);
    if (current && size + c > budget) {
      pieces.push(current);
      current = "";
      size = 0;
    }
    current += char;
    size += c;
  }
  pieces.push(current);
  return pieces;
}

/** Groups lines so that each group, joined with newlines, has an escaped size of at most `budget`. */
export function chunkLines(lines: string[], budget: number, cost: CharCost = textCost): string[][] {
  const groups: string[][] = [];
  let group: string[] = [];
  let size = 0;
  for (const line of lines) {
    const lineCost = costOf(line, cost);
    for (const piece of lineCost > budget ? hardSplit(line, budget, cost) : [line]) {
      const pieceCost = piece === line ? lineCost : costOf(piece, cost);
      if (group.length && size + 1 + pieceCost > budget) {
        groups.push(group);
        group = [];
        size = 0;
      }
      size += pieceCost + (group.length ? 1 : 0);
      group.push(piece);
    }
  }
  if (group.length || groups.length === 0) groups.push(group);
  return groups;
}

const escapedLength = (s: string) => costOf(s, textCost);

function textUnits(lines: string[], prefix = ""): Unit[] {
  const budget = limits.sectionText - escapedLength(prefix);
  return chunkLines(lines, budget, textCost).map((group, i) => ({
    block: section(`${i === 0 ? prefix : ""}${escapeMrkdwn(group.join("\n"))}`),
    plain: group.join("\n"),
  }));
}

function codeUnits(lines: string[]): Unit[] {
  // Fences and their newlines take 8 characters.
  return chunkLines(lines, limits.sectionText - 8, codeCost).map((group) => ({
    block: section(mrkdwnCode(group.join("\n"))),
    plain: group.join("\n"),
  }));
}

function factUnits(block: Extract<Block, { type: "facts" }>): Unit[] {
  const units: Unit[] = [];
  let fields: Array<[string, string]> = [];
  const flush = () => {
    if (!fields.length) return;
    units.push({
      block: {
        type: "section",
        fields: fields.map(([k, v]) => ({ type: "mrkdwn", text: `*${escapeMrkdwn(k)}*\n${escapeMrkdwn(v)}` })),
      },
      plain: renderBlockLines({ type: "facts", facts: fields }).join("\n"),
    });
    fields = [];
  };
  for (const fact of block.facts) {
    const [key, value] = fact;
    if (escapedLength(key) + escapedLength(value) + 3 > limits.fieldText) {
      // Too long for a field: a section of its own (split further when needed).
      flush();
      units.push(...textUnits(`${key}: ${value}`.split("\n")));
      continue;
    }
    fields.push(fact);
    if (fields.length === limits.fieldsPerSection) flush();
  }
  flush();
  return units;
}

function actionUnits(block: Extract<Block, { type: "actions" }>, offset: number): Unit[] {
  const units: Unit[] = [];
  const fitting = block.actions.filter((a) => a.command.length <= limits.buttonValue);
  const tooLong = block.actions.filter((a) => a.command.length > limits.buttonValue);
  for (let i = 0; i < fitting.length; i += limits.actionsPerBlock) {
    const slice = fitting.slice(i, i + limits.actionsPerBlock);
    units.push({
      block: {
        type: "actions",
        elements: slice.map((a, j) => button(`${actionIds.run}${offset + i + j}`, a.label, a.command, a.style)),
      },
      plain: renderBlockLines({ type: "actions", actions: slice }).join("\n"),
    });
  }
  // A command too long for a button is shown to be typed instead.
  if (tooLong.length) units.push(...codeUnits(tooLong.map((a) => `${a.label}: ${a.command}`)));
  return units;
}

/** The units of one (non-image) block. `offset` numbers buttons across the message. */
function blockUnits(block: Exclude<Block, ImageBlock>, offset: number): Unit[] {
  switch (block.type) {
    case "text":
      return textUnits(block.text.split("\n"));
    case "code":
      return codeUnits(block.text.replace(/\n$/, "").split("\n"));
    case "table":
      return codeUnits(renderTable(block.columns, block.rows));
    case "facts":
      return factUnits(block);
    case "status":
      return textUnits(block.text.split("\n"), `${statusEmoji[block.level]} `).map((u, i) => ({
        ...u,
        plain: i === 0 ? renderBlockLines({ ...block, text: u.plain }).join("\n") : u.plain,
      }));
    case "link":
      return [{ block: section(mrkdwnLink(block.url, block.text)), plain: renderBlockLines(block).join("\n") }];
    case "actions":
      return actionUnits(block, offset);
  }
}

/** Packs units into messages of at most 50 blocks and {@link maxFallbackChars} of text. */
function pack(units: Unit[]): RenderedMessage[] {
  const messages: RenderedMessage[] = [];
  let blocks: SlackBlock[] = [];
  let plain: string[] = [];
  let size = 0;
  const flush = () => {
    if (!blocks.length) return;
    messages.push({ kind: "message", blocks, text: plain.join("\n") });
    blocks = [];
    plain = [];
    size = 0;
  };
  for (const unit of units) {
    const cost = escapedLength(unit.plain) + 1;
    if (blocks.length === limits.blocksPerMessage || (blocks.length && size + cost > maxFallbackChars)) flush();
    blocks.push(unit.block);
    plain.push(unit.fallback ?? escapeMrkdwn(unit.plain));
    size += cost;
  }
  flush();
  return messages;
}

/** What the renderer adds around the message's own blocks. */
export interface RenderOptions {
  /** A mention to put in front (`<@U123>`), for replies in shared rooms. */
  mention?: string;
}

/**
 * Renders an outgoing message as Slack messages and image uploads, in order. An approval request gets a header and
 * Approve / Deny buttons (with the job id as their value) after its content.
 */
export function renderParts(message: OutgoingMessage, options: RenderOptions = {}): RenderedPart[] {
  const parts: RenderedPart[] = [];
  let units: Unit[] = [];
  let buttons = 0;
  const approval = message.approvalRequest && message.jobId ? message.jobId : undefined;
  if (approval) units.push({ block: header("Approval needed"), plain: "Approval needed" });
  if (options.mention) {
    units.push({ block: context(options.mention), plain: options.mention, fallback: options.mention });
  }
  // No bidirectional override or zero-width character reaches Slack: they are shown as <U+202E>.
  for (const block of revealInvisibleBlocks(message.blocks)) {
    if (block.type === "image") {
      parts.push(...pack(units), { kind: "image", image: block });
      units = [];
      continue;
    }
    const made = blockUnits(block, buttons);
    buttons += block.type === "actions" ? block.actions.length : 0;
    units.push(...made);
  }
  if (approval) units.push(...approvalUnits(approval));
  parts.push(...pack(units));
  return parts;
}

/** The buttons of an approval request and the line that says what they do. */
export function approvalUnits(jobId: string): Unit[] {
  return [
    {
      block: {
        type: "actions",
        block_id: `switchboard.approval.${jobId}`,
        elements: [
          button(actionIds.approve, "Approve", jobId, "primary"),
          button(actionIds.deny, "Deny", jobId, "danger"),
        ],
      },
      plain: `[Approve: approve ${jobId}] [Deny: deny ${jobId}]`,
    },
  ];
}

/** A job's progress as one message: the newest lines in a code block, with how many earlier ones were left out. */
export function renderProgress(lines: string[], dropped: number): RenderedMessage {
  const shown = dropped ? [`… ${dropped} earlier line${dropped === 1 ? "" : "s"}`, ...lines] : lines;
  const [first, ...rest] = pack(codeUnits(shown));
  // Progress is one message by design: when the lines outgrow it, the newest that fit are kept and the count says so.
  if (!first || rest.length === 0) return first ?? { kind: "message", blocks: [], text: "" };
  return renderProgress(lines.slice(Math.ceil(lines.length / 4)), dropped + Math.ceil(lines.length / 4));
}

/** A context line added to a message (who approved, what happened). */
export function contextLine(text: string): SlackBlock {
  return context(text);
}
