/**
 * Rendering the output model for a terminal: core's plain-text lines, with ANSI colour on status blocks when asked.
 * What the lines say comes from others (a guest's command text in a refusal, a commit message, a hook field): every
 * control character in it is shown escaped (`\x1b`), never sent to the terminal, so it cannot erase lines, move the
 * cursor or retitle the window; bidirectional and zero-width characters are shown as `<U+202E>`.
 * @module
 */
import {
  type Block,
  escapeTerminal,
  type OutgoingMessage,
  renderBlockLines,
  renderTextLines,
  type StatusLevel,
} from "@switchboard/core";

const colours: Record<StatusLevel, string> = { ok: "32", warn: "33", fail: "31", info: "36" };

/** Wraps `text` in the ANSI colour of a status level. */
export function colourFor(level: StatusLevel, text: string): string {
  return `\u001b[${colours[level]}m${text}\u001b[39m`;
}

function blockLines(block: Block, colour: boolean): string[] {
  const lines = renderBlockLines(block).map(escapeTerminal);
  return colour && block.type === "status" ? lines.map((line) => colourFor(block.level, line)) : lines;
}

/**
 * The terminal lines for one outgoing message: core's {@link renderTextLines}, status blocks coloured when `colour`
 * is true, and every line of a progress message prefixed with `[<job id>]`.
 */
export function renderForTerminal(message: OutgoingMessage, { colour }: { colour: boolean }): string[] {
  const lines = colour
    ? message.blocks.flatMap((b) => blockLines(b, true))
    : renderTextLines(message.blocks).map(escapeTerminal);
  if (message.kind === "progress" && message.jobId) return lines.map((line) => `[${message.jobId}] ${line}`);
  return lines;
}
