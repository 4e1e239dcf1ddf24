/**
 * Plugins: a named bundle of commands with its own validated configuration.
 * @module
 */
import type { z } from "zod";
import type { AnyCommand } from "./command.js";
import type { Logger } from "./logger.js";
import type { Store } from "./store.js";

/** What a plugin's setup gets. */
export interface PluginSetupContext<C> {
  config: C;
  /** The plugin's own namespace of the store. */
  store: Store;
  logger: Logger;
}

/** Clean-up returned by setup (stop timers, close connections). */
export type Teardown = () => void | Promise<void>;

/** A plugin definition. */
export interface Plugin<C = unknown> {
  name: string;
  /** One line for `switchboard commands` and docs. */
  description?: string;
  /** Validates the plugin's section of the config file. */
  configSchema?: z.ZodType<C>;
  /** The commands, or a function building them from the validated config. */
  commands: AnyCommand[] | ((config: C) => AnyCommand[]);
  // biome-ignore lint/suspicious/noConfusingVoidType: setup may return nothing, or a teardown
  setup?: (context: PluginSetupContext<C>) => void | Teardown | Promise<void | Teardown>;
}

/** Declares a plugin; a plugin package default-exports the result. */
export function definePlugin<C = undefined>(plugin: Plugin<C>): Plugin<C> {
  return plugin;
}

/** A view of a store whose namespaces are prefixed with `prefix/` (locks are shared, not prefixed). */
export function namespacedStore(store: Store, prefix: string): Store {
  const ns = (namespace: string) => `${prefix}/${namespace}`;
  return {
    get: (namespace, key) => store.get(ns(namespace), key),
    set: (namespace, key, value) => store.set(ns(namespace), key, value),
    delete: (namespace, key) => store.delete(ns(namespace), key),
    list: (namespace, keyPrefix) => store.list(ns(namespace), keyPrefix),
    acquireLock: (request) => store.acquireLock(request),
    releaseLock: (name, owner) => store.releaseLock(name, owner),
    listLocks: () => store.listLocks(),
  };
}

/** A plugin of any configuration type (for lists of plugins). */
// biome-ignore lint/suspicious/noExplicitAny: the configuration type varies per plugin
export type AnyPlugin = Plugin<any>;
