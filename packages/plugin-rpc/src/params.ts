/**
 * From the words typed after the prefix to the params sent: trailing `--key value` pairs (or `--flag`, meaning
 * `"true"`) are split off as extra params, as in the protocol; the rest is matched against the method's pattern.
 * @module
 */
import { UserError } from "@switchboard/core";
import { PARAM_PATTERN } from "./names.js";
import type { MethodPattern } from "./regex.js";

/** Splits trailing `--key value` pairs off `words`. Throws a UserError for a bad or repeated key. */
export function splitExtraParams(words: string[]): { words: string[]; extra: Array<[string, string]> } {
  const first = words.findIndex((w) => w.startsWith("--") && w.length > 2);
  if (first < 0) return { words, extra: [] };
  const extra: Array<[string, string]> = [];
  const seen = new Set<string>();
  for (let i = first; i < words.length; i++) {
    const word = words[i]!;
    if (!word.startsWith("--")) throw new UserError(`"${word}" comes after the --options; put it before them`);
    const eq = word.indexOf("=");
    const key = eq > 0 ? word.slice(2, eq) : word.slice(2);
    if (!PARAM_PATTERN.test(key)) throw new UserError(`--${key.slice(0, 40)} is not a parameter name`);
    if (seen.has(key)) throw new UserError(`--${key} is given twice`);
    seen.add(key);
    let value: string;
    if (eq > 0) value = word.slice(eq + 1);
    else if (i + 1 < words.length && !words[i + 1]!.startsWith("--")) value = words[++i]!;
    else value = "true";
    extra.push([key, value]);
  }
  return { words: words.slice(0, first), extra };
}

/**
 * The params of one call: the pattern's named groups, then the extra pairs (a pair may not repeat a group).
 * Undefined when the text does not match.
 */
export function resolveParams(
  pattern: MethodPattern,
  text: string,
  extra: Array<[string, string]>,
): Record<string, string> | undefined {
  const params = pattern.match(text);
  if (!params) return undefined;
  for (const [key, value] of extra) {
    if (pattern.groups.includes(key)) throw new UserError(`--${key} is already a part of the command; type it there`);
    if (value !== "") params[key] = value;
  }
  return params;
}
