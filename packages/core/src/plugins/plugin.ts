/**
 * Plugins: a named bundle of commands with its own validated configuration, and what setup may use to reach the
 * rest of the bot (rooms, events, HTTP routes, people).
 * @module
 */
import type { z } from "zod";
import type { AdapterCapabilities, SentMessage } from "../adapters/adapter.js";
import type { AuditRecord } from "../audit/audit.js";
import type { AnyCommand } from "../commands/command.js";
import type { RuntimeCommands } from "../commands/runtime-commands.js";
import type { Reply } from "../output/output.js";
import type { BotEvents } from "../runtime/events.js";
import type { Logger } from "../runtime/logger.js";
import type { Store } from "../store/store.js";
import type { RoomRef } from "../util/room-ref.js";
import type { HttpRoute } from "./routes.js";

/** Options for {@link PluginSetupContext.announce}. */
export interface AnnounceOptions {
  /** Edit this earlier announcement instead of sending a new one, where the network can edit. */
  replace?: SentMessage;
  /** Answer inside the thread of this earlier announcement, where the network has threads. */
  inThreadOf?: SentMessage;
}

/** A person's linked network identities, for direct messages and lookups. */
export interface PeopleDirectory {
  /** Principal id of a verified network identity, if it is linked to one. */
  principalOf(network: string, id: string): string | undefined;
  /** The network identities linked to a principal (from the configuration). */
  identitiesOf(principal: string): Array<{ network: string; id: string }>;
  /** Every configured principal id. */
  principals(): string[];
}

/**
 * An audit entry a plugin writes: for something that did not come from a command (a webhook delivery), or a fact
 * about one of its jobs (`jobId`: the GitHub deployment a deploy job created).
 */
export type PluginAuditRecord = Pick<
  AuditRecord,
  "event" | "actor" | "network" | "room" | "detail" | "outcome" | "jobId"
>;

/** What a plugin's setup gets. */
export interface PluginSetupContext<C> {
  config: C;
  /** The plugin's own namespace of the store. */
  store: Store;
  logger: Logger;
  /**
   * Posts output into a room on any network (`irc:#ops`, or `{ network, room }`), through the same send path as
   * replies (flood control, rendering). Returns what was sent when the network gives an id. Rejects on an unknown
   * network.
   */
  announce(target: RoomRef | string, output: Reply, options?: AnnounceOptions): Promise<SentMessage | undefined>;
  /**
   * Sends a direct message to a principal on every network where they are linked and the adapter can send direct
   * messages. Resolves to the networks it reached.
   */
  directMessage(principal: string, output: Reply): Promise<string[]>;
  /**
   * What a network's adapter can do (threads, images, edits), so output can be placed where it fits (the rest of a
   * long answer in a thread, where the network has threads); undefined for a network the bot does not have.
   */
  capabilities(network: string): AdapterCapabilities | undefined;
  /** Bot events: jobs, approvals, adapters. */
  events: BotEvents;
  /** Registers an HTTP route (served when the app has an `http:` section). */
  route(route: HttpRoute): void;
  /** Configured people and their identities. */
  people: PeopleDirectory;
  /** Appends an entry to the audit log (hash-chained like every other), e.g. for a webhook that posted. */
  audit(record: PluginAuditRecord): Promise<void>;
  /** Adds and removes this plugin's commands while the bot runs (commands a remote service lists). */
  commands: RuntimeCommands;
}

/** Clean-up returned by setup (stop timers, close connections). */
export type Teardown = () => void | Promise<void>;

/** What setup may return: objects for the commands (`state`), and a clean-up. */
export interface PluginInstance<S> {
  state: S;
  teardown?: Teardown;
}

/** Handed to `commands(config, plugin)`: `plugin.state` is what setup returned (read it in handlers, not before). */
export interface PluginHandle<S> {
  readonly state: S;
}

/** A plugin definition. `S` is the state setup creates for the commands (clients, schedulers). */
export interface Plugin<C = unknown, S = undefined> {
  name: string;
  /** One line for `switchboard commands` and docs. */
  description?: string;
  /** Validates the plugin's section of the config file. */
  configSchema?: z.ZodType<C, unknown>;
  /**
   * Settings that are valid but weaker than they look, as `path: what is wrong, and how to fix it` lines (paths under
   * the plugin's section, without `plugins.<name>.`): `config check` prints them and the bot logs them at start.
   */
  configWarnings?: (config: C) => string[];
  /**
   * Every permission the plugin's commands check, by what it allows: the package's `PERMISSIONS` constant, the one
   * place its commands take their permission strings from.
   */
  permissions?: Readonly<Record<string, string>>;
  /** The commands, or a function building them from the validated config and the plugin's handle. */
  commands: AnyCommand[] | ((config: C, plugin: PluginHandle<S>) => AnyCommand[]);
  setup?: (
    context: PluginSetupContext<C>,
    // biome-ignore lint/suspicious/noConfusingVoidType: setup may return nothing, a teardown, or state
  ) => void | Teardown | PluginInstance<S> | Promise<void | Teardown | PluginInstance<S>>;
}

/** Declares a plugin; a plugin package default-exports the result. */
export function definePlugin<C = undefined, S = undefined>(plugin: Plugin<C, S>): Plugin<C, S> {
  return plugin;
}

/** A view of a store whose namespaces and claims are prefixed with `prefix/` (locks are shared, not prefixed). */
export function namespacedStore(store: Store, prefix: string): Store {
  const ns = (namespace: string) => `${prefix}/${namespace}`;
  return {
    get: (namespace, key) => store.get(ns(namespace), key),
    set: (namespace, key, value) => store.set(ns(namespace), key, value),
    setIfAbsent: (namespace, key, value) => store.setIfAbsent(ns(namespace), key, value),
    delete: (namespace, key) => store.delete(ns(namespace), key),
    list: (namespace, keyPrefix) => store.list(ns(namespace), keyPrefix),
    acquireLock: (request) => store.acquireLock(request),
    releaseLock: (name, owner) => store.releaseLock(name, owner),
    listLocks: () => store.listLocks(),
    claimOccurrence: (name, at, owner) => store.claimOccurrence(ns(name), at, owner),
  };
}

/** Namespaced views of a store, one per plugin (`core` for commands outside plugins), made once each. */
export function storeViews(store: Store): (plugin: string | undefined) => Store {
  const views = new Map<string, Store>();
  return (plugin) => {
    const key = plugin ?? "core";
    let view = views.get(key);
    if (!view) {
      view = namespacedStore(store, key);
      views.set(key, view);
    }
    return view;
  };
}

/** A plugin of any configuration type (for lists of plugins). */
// biome-ignore lint/suspicious/noExplicitAny: the configuration and state types vary per plugin
export type AnyPlugin = Plugin<any, any>;
