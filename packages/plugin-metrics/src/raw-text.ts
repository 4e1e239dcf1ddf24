/**
 * The text after a command's name exactly as typed. Core's tokenizer removes quotes (PromQL needs
 * `{job="api"}`) and joins words with single spaces; the grammar of `graph` and `metrics` is read from the raw
 * message instead, after core has found the command.
 * @module
 */
import { tokenize } from "@switchboard/core";

const escapeRegex = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/** Drops `--name value` / `--name=value` pairs, as core's flag parser does, leaving the positional words. */
export function positionalWords(tokens: string[], flags: string[]): string[] {
  const words: string[] = [];
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i]!;
    if (flags.some((f) => token === `--${f}`)) i++;
    else if (!flags.some((f) => token.startsWith(`--${f}=`))) words.push(token);
  }
  return words;
}

/**
 * Finds where `name` (`graph`, `graph save`) is typed in `messageText` and returns what follows it, untouched.
 * Candidates are tried from the start; the first whose positional words (after the `flags` core took out) are
 * the ones core parsed (`parsed`, joined by spaces) wins, so an address such as `graph: graph x` (a bot called
 * "graph") is skipped. Falls back to `parsed` when nothing fits.
 */
export function rawRest(messageText: string, name: string, parsed: string, flags: string[] = []): string {
  const words = name.trim().split(/\s+/).map(escapeRegex).join("\\s+");
  const finder = new RegExp(`(?:^|[^\\p{L}\\p{N}_])(${words})(?=\\s|$)`, "giu");
  for (const match of messageText.matchAll(finder)) {
    const rest = messageText.slice((match.index ?? 0) + match[0].length).trim();
    let tokens: string[];
    try {
      tokens = tokenize(rest);
    } catch {
      continue;
    }
    if (positionalWords(tokens, flags).join(" ") === parsed.trim()) return rest;
  }
  return parsed;
}
