/**
 * Server-supplied regexes compiled with RE2JS, a pure-JavaScript port of RE2: matching time is linear in the input,
 * so a hostile or careless pattern (`(a+)+b`) cannot stall the event loop. Backreferences and lookarounds, which
 * need backtracking, are refused when the listing is read. Patterns are anchored and case-insensitive, as the
 * spec and the Hubot client do.
 * @module
 */
import { RE2JS } from "re2js";

/** Longest command text matched (longer text is refused before matching). */
export const MAX_MATCH_INPUT = 4000;
/** Longest regex source accepted from a listing. */
export const MAX_REGEX_SOURCE = 2000;

/** A compiled method pattern. */
export interface MethodPattern {
  source: string;
  /** The named groups, in order. */
  groups: string[];
  /** The named-group values when `text` matches the whole pattern, else undefined. Empty groups are left out. */
  match(text: string): Record<string, string> | undefined;
}

/** Compiles a listing's regex source; throws with RE2's reason when it cannot be compiled. */
export function compileMethodPattern(source: string): MethodPattern {
  if (source.length > MAX_REGEX_SOURCE) throw new Error(`regex longer than ${MAX_REGEX_SOURCE} characters`);
  let compiled: RE2JS;
  try {
    compiled = RE2JS.compile(`^(?:${source})$`, RE2JS.CASE_INSENSITIVE);
  } catch (error) {
    throw new Error(`regex not accepted by RE2 (${(error as Error).message})`);
  }
  const groups = Object.keys(compiled.namedGroups());
  return {
    source,
    groups,
    match(text) {
      if (text.length > MAX_MATCH_INPUT) return undefined;
      const matcher = compiled.matcher(text);
      if (!matcher.matches()) return undefined;
      const values: Record<string, string> = Object.create(null);
      for (const name of groups) {
        const value = matcher.group(name);
        if (typeof value === "string" && value !== "") values[name] = value;
      }
      return values;
    },
  };
}

/**
 * The literal first word of a pattern (`options` in `options(?: (?<app>\S+))?`), when the pattern always starts
 * with that whole word; undefined otherwise (`option(s)?`, `(?<app>\S+) status`).
 */
export function leadingWord(source: string): string | undefined {
  const match = /^([A-Za-z0-9_-]+)(.*)$/s.exec(source);
  if (!match) return undefined;
  const [, word, after] = match as unknown as [string, string, string];
  if (after === "" || after.startsWith(" ") || after.startsWith("\\s") || /^\(\?:(?: |\\s)/.test(after))
    return word.toLowerCase();
  return undefined;
}
