/**
 * Commands a plugin adds and removes while the bot runs (methods a remote service lists), through the same
 * registry as every other command: help, "did you mean", permissions, approvals, jobs and audit all apply. A plugin
 * can only remove its own commands, and a new command can never take or shadow a name that is already in use.
 * @module
 */
import { assertAccessDeclared } from "../policy/guests.js";
import type { AnyCommand } from "./command.js";
import type { CommandRegistry } from "./registry.js";

/** What a plugin's setup gets to change its commands at runtime (`context.commands`). */
export interface RuntimeCommands {
  /**
   * Registers a command of this plugin. Throws (naming the other command) when its name or an alias is taken, or
   * when it would shadow another command: a name that is a prefix of an existing command's name, or the reverse.
   */
  add(command: AnyCommand): void;
  /** Removes a command this plugin added; false when there is none by that name. */
  remove(name: string): boolean;
  /**
   * Who already uses the words of `name` (this plugin's own commands included): the owning command and plugin, or
   * undefined when the name is free and shadows nothing.
   */
  taken(name: string): string | undefined;
}

const words = (name: string) => name.trim().toLowerCase().split(/\s+/);
const owner = (command: AnyCommand) =>
  `"${command.name}"${command.plugin ? ` (plugin ${command.plugin})` : " (built in)"}`;

/** The runtime command API of one plugin. */
export function runtimeCommands(registry: CommandRegistry, plugin: string): RuntimeCommands {
  const taken = (name: string): string | undefined => {
    const typed = words(name);
    // An existing command whose name starts these words (`deploy` for `deploy options`), or is these words.
    const found = registry.lookup(typed);
    if (found.found) return owner(found.entry.command);
    // An existing command under these words (`deploy lock` for `deploy`): the new one would take its words.
    if (found.prefix.length === typed.length) {
      const under = registry
        .all()
        .find((e) => words(e.command.name).slice(0, typed.length).join(" ") === typed.join(" "));
      return under ? owner(under.command) : "other commands";
    }
    return undefined;
  };
  return {
    taken,
    add(command) {
      // Closed by default here too: a command added while the bot runs says who may run it, like those at start.
      assertAccessDeclared([command]);
      for (const name of [command.name, ...(command.aliases ?? [])]) {
        const holder = taken(name);
        if (holder) throw new Error(`command "${name}" (plugin ${plugin}) would clash with command ${holder}`);
      }
      registry.register({ ...command, plugin });
    },
    remove(name) {
      const entry = registry.get(name);
      if (!entry || entry.command.plugin !== plugin) return false;
      return registry.unregister(entry.command);
    },
  };
}
