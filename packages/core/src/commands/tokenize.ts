import { UserError } from "../runtime/errors.js";

/**
 * Splits a command line into words. Single and double quotes group words (`reason "disk full"`), a backslash
 * escapes the next character outside single quotes. A straight apostrophe between two letters or digits is part of
 * the word (`who's on call`, `what's deployed`), not a quote. Never throws anything but a {@link UserError}.
 */
export function tokenize(line: string): string[] {
  // Fast path: no quotes and no backslashes, so words are the runs between spaces, tabs and line breaks.
  const words: string[] = [];
  let start = -1;
  for (let i = 0; i < line.length; i++) {
    const code = line.charCodeAt(i);
    if (code === 0x22 || code === 0x27 || code === 0x5c) return tokenizeQuoted(line);
    if (code === 0x20 || code === 0x09 || code === 0x0a || code === 0x0d) {
      if (start >= 0) words.push(line.slice(start, i));
      start = -1;
    } else if (start < 0) start = i;
  }
  if (start >= 0) words.push(line.slice(start));
  return words;
}

/** The general case: quotes group words, a backslash escapes the next character outside single quotes. */
function tokenizeQuoted(line: string): string[] {
  const tokens: string[] = [];
  let current = "";
  let inToken = false;
  let quote: '"' | "'" | undefined;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i]!;
    if (quote) {
      if (ch === quote) quote = undefined;
      else if (ch === "\\" && quote === '"' && i + 1 < line.length) current += line[++i];
      else current += ch;
    } else if (ch === "'" && isApostrophe(line, i)) {
      current += ch;
      inToken = true;
    } else if (ch === '"' || ch === "'") {
      quote = ch;
      inToken = true;
    } else if (ch === "\\" && i + 1 < line.length) {
      current += line[++i];
      inToken = true;
    } else if (ch === " " || ch === "\t" || ch === "\n" || ch === "\r") {
      if (inToken) tokens.push(current);
      current = "";
      inToken = false;
    } else {
      current += ch;
      inToken = true;
    }
  }
  if (quote)
    throw new UserError(`unterminated ${quote === '"' ? "double" : "single"} quote`, `close the ${quote} quote`);
  if (inToken) tokens.push(current);
  return tokens;
}

const WORD_CHAR = /[\p{L}\p{N}]/u;

/** Whether the `'` at `i` sits inside a word (a letter or digit right before and right after it): an apostrophe. */
function isApostrophe(line: string, i: number): boolean {
  return i > 0 && WORD_CHAR.test(line[i - 1]!) && i + 1 < line.length && WORD_CHAR.test(line[i + 1]!);
}

/** Joins words into a line that {@link tokenize} splits back into the same words (quoting those that need it). */
export function joinWords(words: readonly string[]): string {
  return words
    .map((word) => (word !== "" && !/[\s"'\\]/.test(word) ? word : `"${word.replace(/["\\]/g, "\\$&")}"`))
    .join(" ");
}
