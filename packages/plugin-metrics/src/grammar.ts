/**
 * The `graph` command line, read from the raw text (quotes and `-1h` kept as typed):
 * `[<from>[..<until>]] <target|alias …> [+ <target>…] [--by <label>]`.
 * @module
 */
import { UserError } from "@switchboard/core";
import { RELATIVE_TIME } from "./time-range.js";

/** A parsed `graph` line. */
export interface GraphLine {
  /** `-1h`, `-6h..-1h`, when given. */
  range?: string;
  /** The targets as typed (alias invocations, `backend:expr`, plain expressions), at least one. */
  targets: string[];
  /** `--by <label>`: group series by this label (Prometheus) or node/tag (Graphite). */
  by?: string;
}

/** Labels and Graphite node numbers accepted by `--by`. */
export const BY_PATTERN = /^(?:[A-Za-z_][A-Za-z0-9_]{0,63}|\d{1,2})$/;

const opening: Record<string, string> = { "(": ")", "{": "}", "[": "]" };

/**
 * Splits `text` at `separator` matches that are outside brackets and quotes. `separator` must match at the
 * position given (sticky).
 */
export function splitTopLevel(text: string, separator: RegExp): string[] {
  const parts: string[] = [];
  const stack: string[] = [];
  let quote: string | undefined;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (quote) {
      if (ch === "\\") i++;
      else if (ch === quote) quote = undefined;
      continue;
    }
    if (ch === '"' || ch === "'" || ch === "`") quote = ch;
    else if (Object.hasOwn(opening, ch)) stack.push(opening[ch]!);
    else if (ch === stack.at(-1)) stack.pop();
    else if (stack.length === 0) {
      separator.lastIndex = i;
      const match = separator.exec(text);
      if (match && match.index === i) {
        parts.push(text.slice(start, i));
        start = i + match[0].length;
        i = start - 1;
      }
    }
  }
  parts.push(text.slice(start));
  return parts;
}

/** Removes a trailing `--by <label>` (or `--by=<label>`), returning the label and the rest. */
export function takeBy(text: string): { rest: string; by?: string } {
  const match = /(?:^|\s)--by(?:=|\s+)(\S+)\s*$/.exec(text);
  if (!match) {
    if (/(?:^|\s)--by(?:\s|=|$)/.test(text))
      throw new UserError("--by goes at the end and takes one label", "e.g. graph -1h up --by job");
    return { rest: text };
  }
  const by = match[1]!;
  if (!BY_PATTERN.test(by)) throw new UserError(`--by ${by}: not a label name or a Graphite node number`);
  return { rest: text.slice(0, match.index), by };
}

/** Parses the text after `graph`. Throws a UserError saying what is missing. */
export function parseGraphLine(text: string): GraphLine {
  const { rest, by } = takeBy(text.trim());
  // hubot-graphme's "graph me -1h …"
  let body = rest.trim().replace(/^me(?:\s+|$)/i, "");
  let range: string | undefined;
  const first = /^(\S+)(?:\s+|$)/.exec(body);
  if (first && first[1]!.split("..").every((end) => RELATIVE_TIME.test(end)) && first[1]!.split("..").length <= 2) {
    range = first[1]!;
    body = body.slice(first[0].length);
  }
  const targets = splitTopLevel(body, /\s+\+\s+/y)
    .map((t) => t.trim())
    .filter((t) => t !== "");
  if (targets.length === 0)
    throw new UserError(
      "what should I graph?",
      "e.g. graph -1h load.fs1, graph -6h..-1h rate(http_requests_total[5m])",
    );
  return { ...(range !== undefined ? { range } : {}), targets, ...(by !== undefined ? { by } : {}) };
}
