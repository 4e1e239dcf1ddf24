/**
 * The lb plugin: configuration schema, commands, and setup (one runtime API client per configured instance).
 * @module
 */
import {
  type AnyCommand,
  definePlugin,
  type PluginHandle,
  type PluginInstance,
  type PluginSetupContext,
} from "@switchboard/core";
import { changeCommands } from "./commands/change.js";
import { statusCommand } from "./commands/status.js";
import { type LbConfig, lbConfigSchema } from "./config.js";
import { Haproxy } from "./haproxy.js";
import { PERMISSIONS } from "./permissions.js";
import { parseEndpoint, RuntimeApi } from "./runtime-api.js";
import type { LbState } from "./state.js";

/** Every command of the plugin; handlers read the state setup created. */
export function lbCommands(_config: LbConfig, handle: PluginHandle<LbState>): AnyCommand[] {
  return [statusCommand(handle), ...changeCommands(handle)];
}

function setup(context: PluginSetupContext<LbConfig>): PluginInstance<LbState> {
  const { config } = context;
  const sites = new Map<string, Haproxy[]>();
  for (const [site, { instances }] of Object.entries(config.sites))
    sites.set(
      site,
      Object.entries(instances).map(
        ([name, endpoint]) => new Haproxy(name, new RuntimeApi(parseEndpoint(endpoint), config.timeout)),
      ),
    );
  return {
    state: {
      config,
      sites,
      // A room that cannot be reached is logged; the change and its answer in the asking room stand.
      announce: (target, output) =>
        context
          .announce(target, output)
          .catch((err) => context.logger.warn({ err, target }, "could not post an lb change")),
      audit: (record) => context.audit(record),
    },
  };
}

/** The plugin. */
export const lbPlugin = definePlugin<LbConfig, LbState>({
  name: "lb",
  description: "HAProxy from chat: server status, drain, disable, enable and weight on every instance of a site",
  configSchema: lbConfigSchema,
  permissions: PERMISSIONS,
  commands: lbCommands,
  setup,
});
