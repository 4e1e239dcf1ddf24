/**
 * Plugins in a bot: configuration validated by the plugin's schema, commands registered, setup run with the
 * bot's services, state handed to the commands, teardown at stop.
 * @module
 */
import type { AuditLog } from "../audit/audit.js";
import type { CommandRegistry } from "../commands/registry.js";
import { runtimeCommands } from "../commands/runtime-commands.js";
import type { Outbox } from "../output/outbox.js";
import type { IdentityDirectory } from "../policy/identity.js";
import type { EventBus } from "../runtime/events.js";
import type { Logger } from "../runtime/logger.js";
import type { Store } from "../store/store.js";
import type { AnyPlugin, PluginHandle, PluginInstance, PluginSetupContext, Teardown } from "./plugin.js";
import { pluginConfigOf } from "./plugin-config.js";
import type { RouteTable } from "./routes.js";

/** What a plugin's setup context is made of. */
export interface PluginContextDeps {
  /** The plugin's namespaced store. */
  store: Store;
  logger: Logger;
  outbox: Outbox;
  events: EventBus;
  routes: RouteTable;
  identity: IdentityDirectory;
  auditLog: AuditLog;
  /** The registry, for {@link PluginSetupContext.commands}. */
  registry: CommandRegistry;
}

/** The context one plugin's setup gets. */
export function pluginContext(name: string, config: unknown, deps: PluginContextDeps): PluginSetupContext<unknown> {
  return {
    config,
    store: deps.store,
    logger: deps.logger.child({ plugin: name }),
    announce: (target, reply, options) => deps.outbox.announce(target, reply, options),
    directMessage: (principal, reply) => deps.outbox.directMessage(principal, reply),
    capabilities: (network) => deps.outbox.capabilities(network),
    events: deps.events,
    route: (route) => deps.routes.add({ ...route, source: route.source ?? `plugin ${name}` }),
    people: {
      principalOf: (network, id) => deps.identity.principalOf(network, id),
      identitiesOf: (principal) => deps.identity.identitiesOf(principal),
      principals: () => deps.identity.principals(),
    },
    audit: async (record) => {
      await deps.auditLog.append([{ ...record, detail: { plugin: name, ...record.detail } }]);
    },
    commands: runtimeCommands(deps.registry, name),
  };
}

interface Entry {
  plugin: AnyPlugin;
  config: unknown;
  handle: { state: unknown; ready: boolean };
  teardown?: Teardown;
}

/** The enabled plugins of one bot. */
export class PluginHost {
  readonly #entries: Entry[] = [];
  readonly #warnings: string[] = [];

  constructor(private readonly registry: CommandRegistry) {}

  /**
   * Validates the configuration (unless `validatePluginConfig` already did) and registers the commands. Throws a
   * PluginConfigError naming the plugin and the offending keys.
   */
  use(plugin: AnyPlugin, rawConfig: unknown): void {
    const config = pluginConfigOf(plugin, rawConfig);
    const state = { state: undefined as unknown, ready: false };
    const handle: PluginHandle<unknown> = {
      get state() {
        if (!state.ready) throw new Error(`plugin ${plugin.name} is not set up yet (the bot has not started)`);
        return state.state;
      },
    };
    for (const warning of plugin.configWarnings?.(config) ?? [])
      this.#warnings.push(`plugins.${plugin.name}.${warning}`);
    const commands = typeof plugin.commands === "function" ? plugin.commands(config, handle) : plugin.commands;
    for (const command of commands) this.registry.register({ ...command, plugin: plugin.name });
    this.#entries.push({ plugin, config, handle: state });
  }

  /** Every plugin's configuration warnings (`configWarnings` of each plugin), with their full paths. */
  warnings(): string[] {
    return [...this.#warnings];
  }

  /** Runs every plugin's setup, in the order they were enabled. */
  async setup(contextFor: (name: string, config: unknown) => PluginSetupContext<unknown>): Promise<void> {
    for (const entry of this.#entries) {
      const result = await entry.plugin.setup?.(contextFor(entry.plugin.name, entry.config));
      if (typeof result === "function") entry.teardown = result;
      else if (result && typeof result === "object") {
        const instance = result as PluginInstance<unknown>;
        entry.handle.state = instance.state;
        if (instance.teardown) entry.teardown = instance.teardown;
      }
      entry.handle.ready = true;
    }
  }

  /** Runs every teardown, newest plugin first; a failing one does not stop the others. */
  async teardown(onError: (name: string, error: unknown) => void): Promise<void> {
    for (const entry of [...this.#entries].reverse()) {
      try {
        await entry.teardown?.();
      } catch (error) {
        onError(entry.plugin.name, error);
      }
      entry.teardown = undefined;
    }
  }
}
