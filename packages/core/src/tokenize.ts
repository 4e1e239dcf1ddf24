import { UserError } from "./errors.js";

/**
 * Splits a command line into words. Single and double quotes group words (`reason "disk full"`), a backslash
 * escapes the next character outside single quotes. Never throws anything but a {@link UserError}.
 */
export function tokenize(line: string): string[] {
  if (!/["'\\]/.test(line)) {
    const words = line.split(/[ \t\n\r]+/);
    if (words[0] === "") words.shift();
    if (words.at(-1) === "") words.pop();
    return words;
  }
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
