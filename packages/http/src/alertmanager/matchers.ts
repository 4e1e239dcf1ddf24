/**
 * Alertmanager-style label matchers (`severity="page"`, `team=~"db|web"`, `env!="dev"`, `job!~"test.*"`), used to
 * route alert groups to rooms. Regular expressions are anchored like Alertmanager's.
 * @module
 */

/** One parsed matcher. */
export interface LabelMatcher {
  label: string;
  op: "=" | "!=" | "=~" | "!~";
  value: string;
  /** The text it came from (for logs and errors). */
  text: string;
}

const MATCHER = /^\s*([A-Za-z_][A-Za-z0-9_]*)\s*(=~|!~|!=|=)\s*(?:"((?:[^"\\]|\\.)*)"|([^"\s]*))\s*$/;

/** Parses `label="value"` (quotes optional for simple values). Throws on anything else or a bad regex. */
export function parseMatcher(text: string): LabelMatcher {
  const match = MATCHER.exec(text);
  if (!match) throw new Error(`not a matcher: ${JSON.stringify(text)} (use label="value", label=~"regex", !=, !~)`);
  const value = match[3] !== undefined ? match[3].replace(/\\(.)/g, "$1") : (match[4] ?? "");
  const op = match[2] as LabelMatcher["op"];
  if (op === "=~" || op === "!~") {
    try {
      new RegExp(`^(?:${value})$`);
    } catch {
      throw new Error(`bad regular expression in matcher ${JSON.stringify(text)}`);
    }
  }
  return { label: match[1]!, op, value, text };
}

const compiled = new Map<string, RegExp>();

function regexFor(value: string): RegExp {
  let regex = compiled.get(value);
  if (!regex) {
    regex = new RegExp(`^(?:${value})$`);
    compiled.set(value, regex);
  }
  return regex;
}

/** Whether `labels` satisfy the matcher; a missing label counts as the empty string (as in Alertmanager). */
export function matches(matcher: LabelMatcher, labels: ReadonlyMap<string, string>): boolean {
  const actual = labels.get(matcher.label) ?? "";
  switch (matcher.op) {
    case "=":
      return actual === matcher.value;
    case "!=":
      return actual !== matcher.value;
    case "=~":
      return regexFor(matcher.value).test(actual);
    case "!~":
      return !regexFor(matcher.value).test(actual);
  }
}

/** Whether every matcher holds (an empty list matches everything). */
export function matchesAll(matchers: readonly LabelMatcher[], labels: ReadonlyMap<string, string>): boolean {
  return matchers.every((matcher) => matches(matcher, labels));
}
