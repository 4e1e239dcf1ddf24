/**
 * The command registry: a trie of command words, so finding a command costs the number of words typed,
 * never the number of commands registered.
 * @module
 */
import type { ArgDef, ArgsSchema } from "./args.js";
import type { AnyCommand } from "./command.js";
import { compilePattern, type WordPattern } from "./pattern.js";
import { SuggestionIndex } from "./suggestion-index.js";

interface Node {
  command?: AnyCommand;
  /** The full name this node was registered under (a name or an alias). */
  registeredAs?: string;
  /** The entry of `command`. */
  entry?: RegisteredCommand;
  children: Map<string, Node>;
  /** "Did you mean" over the children's words: built on the first miss, dropped when a child is added. */
  suggestions?: SuggestionIndex;
  /** The children's words, sorted: built on the first miss, dropped when a child is added. */
  group?: string[];
}

/** A registered command with what dispatch needs precomputed. */
export interface RegisteredCommand {
  command: AnyCommand;
  pattern?: WordPattern;
  /** The argument definitions in declaration order. */
  args: Array<[name: string, definition: ArgDef]>;
  /** The positional ones, in order. */
  positional: Array<[name: string, definition: ArgDef]>;
  /** Whether any argument is secret (and must be redacted). */
  hasSecrets: boolean;
}

/** The result of looking up the words of a command line. */
export type Lookup =
  | {
      found: true;
      entry: RegisteredCommand;
      /** Words after the command name. */
      rest: string[];
      /** The name or alias the words matched. */
      name: string;
    }
  | {
      found: false /** Words that matched a command group (`role`), if any. */;
      prefix: string[];
      unknown: string;
      suggestions: string[];
      group: string[];
    };

const splitName = (name: string) => name.trim().toLowerCase().split(/\s+/);

/** Holds every command; rejects duplicates and overlaps when they are registered. */
export class CommandRegistry {
  readonly #root: Node = { children: new Map() };
  readonly #entries = new Map<AnyCommand, RegisteredCommand>();

  /** Registers a command under its name and aliases. Throws, naming both commands, on a clash. */
  register(command: AnyCommand): void {
    const args = Object.entries(command.args as ArgsSchema);
    const entry: RegisteredCommand = {
      command,
      args,
      positional: args.filter(([, d]) => d.options.positional),
      hasSecrets: args.some(([, d]) => d.options.secret),
    };
    if (command.pattern) {
      entry.pattern = compilePattern(command.pattern);
      for (const name of entry.pattern.names) {
        if (!Object.hasOwn(command.args, name))
          throw new Error(`command "${command.name}": pattern uses {${name}}, which is not in its args`);
      }
    }
    const restArgs = args.filter(([, d]) => d.options.rest);
    if (restArgs.length > 1)
      throw new Error(`command "${command.name}": only one argument can take the rest of the words`);
    for (const name of [command.name, ...(command.aliases ?? [])]) {
      let node = this.#root;
      for (const word of splitName(name)) {
        let child = node.children.get(word);
        if (!child) {
          child = { children: new Map() };
          node.children.set(word, child);
          node.suggestions = undefined;
          node.group = undefined;
        }
        node = child;
      }
      if (node.command) {
        const owner = (c: AnyCommand) => `"${c.name}"${c.plugin ? ` (plugin ${c.plugin})` : ""}`;
        const what =
          node.command.pattern && command.pattern
            ? `patterns "${node.registeredAs} ${node.command.pattern}" and "${name} ${command.pattern}" overlap`
            : `"${name}" is already taken`;
        throw new Error(`command ${owner(command)} clashes with command ${owner(node.command)}: ${what}`);
      }
      node.command = command;
      node.registeredAs = name;
      node.entry = entry;
    }
    this.#entries.set(command, entry);
  }

  /**
   * Removes a command registered earlier (under its name and every alias), for plugins whose commands come and go
   * at runtime. Returns false when it was not registered. Running jobs keep the command they started with.
   */
  unregister(command: AnyCommand): boolean {
    const entry = this.get(command.name);
    if (!entry || entry.command.name !== command.name || entry.command.plugin !== command.plugin) return false;
    for (const name of [entry.command.name, ...(entry.command.aliases ?? [])]) {
      const path: Node[] = [this.#root];
      for (const word of splitName(name)) {
        const child = path.at(-1)!.children.get(word);
        if (!child) break;
        path.push(child);
      }
      const node = path.at(-1)!;
      if (node.entry !== entry) continue;
      node.command = undefined;
      node.registeredAs = undefined;
      node.entry = undefined;
      const words = splitName(name);
      for (let i = path.length - 1; i > 0; i--) {
        const parent = path[i - 1]!;
        parent.suggestions = undefined;
        parent.group = undefined;
        const current = path[i]!;
        if (current.command || current.children.size > 0) break;
        parent.children.delete(words[i - 1]!);
      }
    }
    this.#entries.delete(entry.command);
    return true;
  }

  /** Finds the command for a list of words: the longest registered name that the words start with. */
  lookup(words: string[]): Lookup {
    let node = this.#root;
    let best: Node | undefined;
    let bestDepth = 0;
    let depth = 0;
    for (const word of words) {
      const child = node.children.get(word.toLowerCase());
      if (!child) break;
      node = child;
      depth++;
      if (node.command) {
        best = node;
        bestDepth = depth;
      }
    }
    if (best?.command) {
      return {
        found: true,
        entry: best.entry!,
        rest: words.slice(bestDepth),
        name: best.registeredAs ?? best.command.name,
      };
    }
    const prefix = words.slice(0, depth);
    const unknown = words[depth] ?? "";
    if (!node.group) node.group = [...node.children.keys()].sort();
    let suggestions: string[] = [];
    if (unknown) {
      if (!node.suggestions) node.suggestions = new SuggestionIndex(node.children.keys());
      suggestions = node.suggestions.suggest(unknown);
    }
    // A copy of the group: callers may change what they get.
    return { found: false, prefix, unknown, group: [...node.group], suggestions };
  }

  /** Whether some command's name starts with this word (a command, or a group such as `role`). No suggestions. */
  hasFirstWord(word: string): boolean {
    return this.#root.children.has(word.toLowerCase());
  }

  /** Every registered command, in registration order. */
  all(): RegisteredCommand[] {
    return [...this.#entries.values()];
  }

  /** The entry for a command by its exact name. */
  get(name: string): RegisteredCommand | undefined {
    const found = this.lookup(splitName(name));
    return found.found && found.rest.length === 0 ? found.entry : undefined;
  }
}
