/**
 * The output model rendered for IRC: plain lines (core's text rendering), status marks in colour and bold unless
 * plain text is asked for, and nothing from the content that IRC clients would read as formatting or CTCP.
 * @module
 */
import { type Block, renderBlockLines, type StatusLevel } from "@switchboard/core";

/** mIRC colour numbers of the status levels (two digits, so a following digit is never read as part of it). */
const statusColour: Record<StatusLevel, string> = { ok: "03", warn: "07", fail: "04", info: "12" };
const BOLD = "\x02";
const COLOUR = "\x03";
const RESET = "\x0f";

/** Control characters (C0 and DEL): IRC formatting codes, CTCP's \x01, line breaks. Content must not carry them. */
const controls = new RegExp(`[${String.fromCharCode(0)}-${String.fromCharCode(31)}${String.fromCharCode(127)}]`, "g");

/** Formatting toggles: bold, reset, monospace, reverse, italics, strike-through, underline. */
const toggles = new RegExp(`[${[2, 15, 17, 22, 29, 30, 31].map((c) => String.fromCharCode(c)).join("")}]`, "g");

/** Makes one line of content safe to send: tabs become spaces, other control characters are removed. */
export function sanitizeLine(line: string): string {
  return line.replace(/\t/g, "    ").replace(controls, "");
}

/** Removes IRC formatting (bold, colours, italics, …) from received text. */
export function stripFormatting(text: string): string {
  return text
    .replace(new RegExp(`${COLOUR}(\\d{1,2}(,\\d{1,2})?)?`, "g"), "")
    .replace(new RegExp(`${String.fromCharCode(4)}[0-9a-fA-F]{0,6}(,[0-9a-fA-F]{1,6})?`, "g"), "")
    .replace(toggles, "");
}

function blockLines(block: Block, colors: boolean): string[] {
  const lines = renderBlockLines(block).map(sanitizeLine);
  if (block.type !== "status" || !colors || lines.length === 0) return lines;
  // core renders "<mark> <text>"; colour and embolden the mark of the first line.
  const [first = "", ...rest] = lines;
  const space = first.indexOf(" ");
  const mark = space < 0 ? first : first.slice(0, space);
  const after = space < 0 ? "" : first.slice(space);
  return [`${BOLD}${COLOUR}${statusColour[block.level]}${mark}${RESET}${after}`, ...rest];
}

/**
 * The IRC lines for some blocks: one string per line, before splitting to the byte limit. Blank lines are left
 * out (IRC cannot send an empty message).
 */
export function renderIrcLines(blocks: Block[], { colors }: { colors: boolean }): string[] {
  return blocks.flatMap((block) => blockLines(block, colors)).filter((line) => line.trim().length > 0);
}
