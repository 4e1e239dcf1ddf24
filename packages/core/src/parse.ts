/**
 * Turns the words after a command's name into typed arguments, with yargs-parser for flags.
 * @module
 */
import yargsParser from "yargs-parser";
import { type ArgDef, coerceArg, usageOf } from "./args.js";
import type { AnyCommand } from "./command.js";
import { UserError } from "./errors.js";
import { matchPattern } from "./pattern.js";
import type { RegisteredCommand } from "./registry.js";
import { joinWords } from "./tokenize.js";

/** The usage line of a command, e.g. `deploy <app>[/<ref>] [to <env>] [--force]`. */
export function usageLine(entry: RegisteredCommand, prefix = ""): string {
  const { command } = entry;
  const inPattern = new Set(entry.pattern?.names ?? []);
  const parts = [prefix + command.name];
  if (entry.pattern) parts.push(entry.pattern.source.replace(/\{(\w+)(\.\.\.)?\}/g, "<$1$2>"));
  const rest = (Object.entries(command.args) as Array<[string, ArgDef]>).filter(([name]) => !inPattern.has(name));
  for (const [name, definition] of rest) if (definition.options.positional) parts.push(usageOf(name, definition));
  for (const [name, definition] of rest) if (!definition.options.positional) parts.push(usageOf(name, definition));
  return parts.join(" ");
}

function flagConfig(command: AnyCommand) {
  const booleans: string[] = [];
  const strings: string[] = [];
  const alias: Record<string, string> = {};
  for (const [name, definition] of Object.entries(command.args) as Array<[string, ArgDef]>) {
    (definition.kind === "boolean" ? booleans : strings).push(name);
    if (definition.options.alias) alias[name] = definition.options.alias;
  }
  return { booleans, strings, alias };
}

/** A word that starts with a dash and a digit (`-1h`, `-6h..-1h`, `-5`) is a value, never a flag. */
const isDashValue = (word: string) => /^-\d/.test(word);
const isFlag = (word: string) => word.startsWith("-") && !isDashValue(word);
const HIDDEN = "\u0000dash:";

/** Runs yargs-parser over words that contain flags; dash values and `literal` words pass through untouched. */
function parseFlags(
  command: AnyCommand,
  words: string[],
  literal?: ReadonlySet<number>,
): { _: Array<string | number>; "--"?: Array<string | number> } & Record<string, unknown> {
  const { booleans, strings, alias } = flagConfig(command);
  const hidden = words.map((w, i) => (isDashValue(w) || literal?.has(i) ? `${HIDDEN}${w}` : w));
  const parsed = yargsParser(hidden, {
    boolean: booleans,
    string: strings,
    alias,
    configuration: {
      "camel-case-expansion": false,
      "dot-notation": false,
      "parse-numbers": false,
      "parse-positional-numbers": false,
      "duplicate-arguments-array": true,
      "flatten-duplicate-arrays": false,
      "boolean-negation": false,
      "strip-aliased": true,
      "halt-at-non-option": false,
    },
  });
  const reveal = (value: unknown): unknown =>
    typeof value === "string" && value.startsWith(HIDDEN)
      ? value.slice(HIDDEN.length)
      : Array.isArray(value)
        ? value.map(reveal)
        : value;
  for (const key of Object.keys(parsed)) (parsed as Record<string, unknown>)[key] = reveal(parsed[key]);
  return parsed;
}

function hasFlag(words: string[], literal?: ReadonlySet<number>): boolean {
  for (let i = 0; i < words.length; i++) if (isFlag(words[i]!) && !literal?.has(i)) return true;
  return false;
}

function failWithUsage(entry: RegisteredCommand, prefix: string, message: string): never {
  throw new UserError(message, `usage: ${usageLine(entry, prefix)}`);
}

/**
 * Parses words into the command's arguments: flags (`--env prod`, `-f`), then either the word pattern or the
 * positional arguments in declaration order. Words whose index is in `literal` (an alias's arguments) are values,
 * never flags. Throws a {@link UserError} whose hint is the usage line.
 */
export function parseArgs(
  entry: RegisteredCommand,
  words: string[],
  prefix = "",
  literal?: ReadonlySet<number>,
): Record<string, unknown> {
  const { command } = entry;
  const verbatim = entry.positional.length === 1 && entry.positional[0]![1].options.verbatim;
  const raw: Record<string, unknown> = {};
  let positionals = words;
  if (!verbatim && hasFlag(words, literal)) {
    const parsed = parseFlags(command, words, literal);
    for (const key in parsed) {
      if (key === "_" || key === "--") continue;
      if (!Object.hasOwn(command.args, key)) failWithUsage(entry, prefix, `unknown option --${key}`);
      raw[key] = (parsed as Record<string, unknown>)[key];
    }
    positionals = (parsed["--"] ? [...parsed._, ...parsed["--"]] : parsed._).map(String);
  }

  if (entry.pattern && positionals.length > 0) {
    const values = matchPattern(entry.pattern, positionals.join(" "));
    if (!values) failWithUsage(entry, prefix, `"${positionals.join(" ")}" does not fit the pattern`);
    for (const [key, value] of Object.entries(values ?? {})) if (!Object.hasOwn(raw, key)) raw[key] = value;
  } else if (!entry.pattern) {
    let i = 0;
    for (const [name, definition] of entry.positional) {
      if (i >= positionals.length) break;
      if (Object.hasOwn(raw, name)) continue;
      const taken = positionals.slice(i);
      // Verbatim words are joined so that tokenizing them again gives the same words (quotes kept where needed).
      raw[name] = definition.options.rest ? (verbatim ? joinWords(taken) : taken.join(" ")) : positionals[i];
      i = definition.options.rest ? positionals.length : i + 1;
    }
    if (i < positionals.length) failWithUsage(entry, prefix, `unexpected argument "${positionals[i]}"`);
  }

  const args: Record<string, unknown> = {};
  for (const [name, definition] of entry.args) {
    const given = raw[name];
    if (given === undefined || (Array.isArray(given) && given.length === 0)) {
      if (definition.options.default !== undefined) args[name] = definition.options.default;
      else if (definition.options.required) failWithUsage(entry, prefix, `missing ${name}`);
      continue;
    }
    if (Array.isArray(given)) failWithUsage(entry, prefix, `${name} was given more than once`);
    if (definition.kind !== "boolean" && given === "") failWithUsage(entry, prefix, `${name} needs a value`);
    const result = coerceArg(name, definition, given);
    if ("error" in result) failWithUsage(entry, prefix, result.error);
    else args[name] = result.value;
  }
  return args;
}
