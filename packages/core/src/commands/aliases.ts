/**
 * Aliases: team-wide shorthands for command lines (`alias add dp = deploy $1 to production`), kept in the store and
 * expanded before a command line is looked up, so permissions, approvals and audit are the expanded command's.
 * Arguments are substituted as whole words: an argument never becomes more words, and a word that looks like a flag
 * stays a value (see {@link Expansion.literal}).
 * @module
 */
import { UserError } from "../runtime/errors.js";
import type { Store } from "../store/store.js";
import type { CommandRegistry } from "./registry.js";
import { tokenize } from "./tokenize.js";

/** A stored alias. */
export interface AliasDefinition {
  name: string;
  /** The command line it stands for, as typed at `alias add` (with `$1 … $9` and `$*`). */
  line: string;
  /** Principal id of who added it. */
  createdBy: string;
  /** ISO-8601 time it was added. */
  createdAt: string;
}

/** A command line after alias expansion. */
export interface Expansion {
  /** The words to look up and parse. */
  words: string[];
  /** Indexes in `words` of words that came from what the person typed as an argument: values, never flags. */
  literal: ReadonlySet<number>;
  /** The alias typed, and the line it expanded to; undefined when the line named no alias. */
  alias?: { name: string; typed: string[]; expansion: string[] };
}

/** No word is literal (a line that named no alias). Shared: nothing adds to it. */
const NO_LITERALS: ReadonlySet<number> = new Set<number>();

/** How many aliases one line may go through (an alias may name another alias, up to this depth). */
export const MAX_ALIAS_DEPTH = 3;

const NAMESPACE = "aliases";
const NAME = /^[a-z][a-z0-9_-]{0,31}$/;
const PLACEHOLDER = /\$(\*|[1-9])/g;

/** Whether a lowercase first word names a command or a group of commands (`role`), which an alias may not shadow. */
export type IsCommandWord = (word: string) => boolean;

/** Whether a word names a command or a group of commands in `registry`. */
export function commandWordIn(registry: CommandRegistry): IsCommandWord {
  return (word) => registry.hasFirstWord(word);
}

/** The secret argument names (and their short aliases) of the command the words name in `registry`. */
export function secretArgsIn(registry: CommandRegistry): (words: string[]) => string[] {
  return (words) => {
    const found = registry.lookup(words);
    if (!found.found) return [];
    return found.entry.args.flatMap(([name, d]) =>
      d.options.secret ? [name, ...(d.options.alias ? [d.options.alias] : [])] : [],
    );
  };
}

/** The team's aliases: loaded from the store at start, changed only through {@link add} and {@link remove}. */
export class AliasBook {
  #aliases = new Map<string, AliasDefinition>();

  constructor(
    private readonly store: Store,
    private readonly isCommandWord: IsCommandWord,
    /** The secret argument names of the command a line names, for refusing secrets in a stored alias. */
    private readonly secretsOf: (words: string[]) => string[] = () => [],
  ) {}

  /** Loads every alias from the store. */
  async load(): Promise<void> {
    this.#aliases = new Map((await this.store.list<AliasDefinition>(NAMESPACE)).map(([, a]) => [a.name, a]));
  }

  /** Every alias, by name. */
  list(): AliasDefinition[] {
    return [...this.#aliases.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  get(name: string): AliasDefinition | undefined {
    return this.#aliases.get(name.toLowerCase());
  }

  /** Whether an alias is hidden by a command registered after it was added (commands win). */
  shadowed(name: string): boolean {
    return this.isCommandWord(name);
  }

  /**
   * Adds (or replaces) an alias after checking it: a free name, placeholders `$1`–`$9` and `$*` only, a first word
   * naming a command or another alias, and no loop through other aliases. Throws a {@link UserError} otherwise.
   */
  async add(name: string, line: string, createdBy: string, now: Date): Promise<AliasDefinition> {
    const key = name.toLowerCase();
    if (!NAME.test(key))
      throw new UserError(`"${name}" is not a valid alias name`, "a letter, then letters, digits, - or _ (at most 32)");
    if (this.isCommandWord(key)) throw new UserError(`"${key}" is a command; an alias cannot shadow a command`);
    const words = tokenize(line);
    if (words.length === 0) throw new UserError("the alias is empty", "alias add <name> = <command line>");
    for (const word of words) {
      const stray = word.replace(PLACEHOLDER, "").includes("$");
      if (stray) throw new UserError(`"${word}": only $1 … $9 and $* may stand for arguments`);
    }
    if (/\$/.test(words[0]!)) throw new UserError("the first word of an alias must be a command, not an argument");
    const first = words[0]!.toLowerCase();
    if (first === key) throw new UserError(`alias "${key}" would expand to itself`);
    if (!this.isCommandWord(first) && !this.#aliases.has(first))
      throw new UserError(`no command or alias "${first}"`, "an alias stands for a command line");
    this.#checkChain(key, first);
    // The line is stored and listed: a secret argument must come from the person typing the alias, as $N.
    const placeholder = (w: string | undefined) => w !== undefined && /^\$(\*|[1-9])$/.test(w);
    for (const secret of this.secretsOf(this.#commandWords(words))) {
      const flag = secret.length === 1 ? `-${secret}` : `--${secret}`;
      const written = words.some(
        (w, i) =>
          (w === flag && !placeholder(words[i + 1])) ||
          (w.startsWith(`${flag}=`) && !placeholder(w.slice(flag.length + 1))),
      );
      if (written)
        throw new UserError(
          `an alias cannot hold the secret argument ${secret}: it is stored and listed`,
          `pass it as $1`,
        );
    }
    const definition: AliasDefinition = { name: key, line, createdBy, createdAt: now.toISOString() };
    await this.store.set(NAMESPACE, key, definition);
    this.#aliases.set(key, definition);
    return definition;
  }

  /** Removes an alias; false when there was none. */
  async remove(name: string): Promise<boolean> {
    const key = name.toLowerCase();
    if (!this.#aliases.has(key)) return false;
    await this.store.delete(NAMESPACE, key);
    this.#aliases.delete(key);
    return true;
  }

  /** The words of a line with aliases at its start followed to the command they name (for finding its arguments). */
  #commandWords(words: string[]): string[] {
    let current = words;
    for (let depth = 0; depth <= MAX_ALIAS_DEPTH; depth++) {
      const alias = this.#aliases.get(current[0]?.toLowerCase() ?? "");
      if (!alias || this.isCommandWord(alias.name)) return current;
      current = [...templateOf(alias), ...current.slice(1)];
    }
    return current;
  }

  /** Refuses a new alias whose first word leads back to itself, or through more than the allowed depth. */
  #checkChain(name: string, first: string): void {
    let next: string | undefined = first;
    for (let depth = 1; next !== undefined && !this.isCommandWord(next); depth++) {
      if (next === name) throw new UserError(`alias "${name}" would expand to itself`);
      if (depth > MAX_ALIAS_DEPTH)
        throw new UserError(`alias "${name}" would go through more than ${MAX_ALIAS_DEPTH} aliases`);
      const target = this.#aliases.get(next);
      if (!target) return;
      next = tokenize(target.line)[0]?.toLowerCase();
    }
  }

  /**
   * Expands the words of a command line whose first word is an alias (and not a command). Throws a
   * {@link UserError} for missing or extra arguments, a loop, or a chain deeper than {@link MAX_ALIAS_DEPTH}.
   */
  expand(words: string[]): Expansion {
    // Most lines name no alias: answered without building anything.
    const named = words[0] === undefined ? undefined : this.#aliases.get(words[0].toLowerCase());
    if (!named || this.isCommandWord(named.name)) return { words, literal: NO_LITERALS };
    let current = words;
    let literal: ReadonlySet<number> = NO_LITERALS;
    let first: { name: string; typed: string[] } | undefined;
    const seen = new Set<string>();
    for (;;) {
      const head = current[0]?.toLowerCase();
      // Most lines name no alias: the map is asked first; a command of the same name always wins.
      const alias = head === undefined ? undefined : this.#aliases.get(head);
      if (!alias || this.isCommandWord(alias.name)) break;
      if (seen.has(alias.name)) throw new UserError(`alias "${alias.name}" expands to itself`);
      if (seen.size >= MAX_ALIAS_DEPTH)
        throw new UserError(`"${words[0]}" goes through more than ${MAX_ALIAS_DEPTH} aliases`);
      seen.add(alias.name);
      if (!first) {
        first = { name: alias.name, typed: words };
        // What the person typed after the alias's name are arguments, every word of it.
        literal = new Set(words.map((_, i) => i).filter((i) => i > 0));
      }
      ({ words: current, literal } = substitute(alias, current.slice(1), literal));
    }
    if (!first) return { words, literal };
    return { words: current, literal, alias: { ...first, expansion: current } };
  }
}

/**
 * Fills an alias's template with arguments, word for word. `literalIn` holds the indexes (in the line, so the first
 * argument is 1) of the arguments that are values; a word filled from such an argument is a value in the result,
 * while the template's own words keep what they were (a flag in the template stays a flag).
 */
function substitute(
  alias: AliasDefinition,
  args: string[],
  literalIn: ReadonlySet<number>,
): { words: string[]; literal: Set<number> } {
  const template = templateOf(alias);
  const words: string[] = [];
  const literal = new Set<number>();
  const needed = countPlaceholders(template);
  let rest = false;
  for (const word of template) {
    if (word === "$*") {
      rest = true;
      args.forEach((arg, i) => {
        if (literalIn.has(i + 1)) literal.add(words.length);
        words.push(arg);
      });
      continue;
    }
    let fromValue = false;
    const filled = word.replace(PLACEHOLDER, (_, which: string) => {
      if (which === "*") {
        rest = true;
        if (args.some((_, i) => literalIn.has(i + 1))) fromValue = true;
        return args.join(" ");
      }
      const n = Number(which);
      if (n > args.length) throw new UserError(`alias ${alias.name} needs ${needed} argument(s)`, usage(alias));
      if (literalIn.has(n)) fromValue = true;
      return args[n - 1]!;
    });
    if (fromValue) literal.add(words.length);
    words.push(filled);
  }
  if (!rest && args.length > needed)
    throw new UserError(`alias ${alias.name} takes ${needed} argument(s), not ${args.length}`, usage(alias));
  return { words, literal };
}

/** An alias's line as words, split once per definition. */
const templates = new WeakMap<AliasDefinition, string[]>();
function templateOf(alias: AliasDefinition): string[] {
  let words = templates.get(alias);
  if (!words) {
    words = tokenize(alias.line);
    templates.set(alias, words);
  }
  return words;
}

function countPlaceholders(template: string[]): number {
  let highest = 0;
  for (const word of template)
    for (const [, which] of word.matchAll(PLACEHOLDER)) highest = Math.max(highest, Number(which) || 0);
  return highest;
}

function usage(alias: AliasDefinition): string {
  return `${alias.name} = ${alias.line}`;
}
