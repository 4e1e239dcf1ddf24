/**
 * The rpc plugin: configuration, the admin commands, and setup (keys loaded, endpoints started).
 * @module
 */
import { definePlugin, type PluginInstance, type PluginSetupContext } from "@switchboard/core";
import { adminCommands, type RpcState } from "./admin-commands.js";
import { type RpcConfig, rpcConfigSchema } from "./config.js";
import { Endpoints } from "./endpoints.js";
import { PERMISSIONS } from "./permissions.js";
import { loadClientKey } from "./signer.js";

async function setup(context: PluginSetupContext<RpcConfig>): Promise<PluginInstance<RpcState>> {
  const { config } = context;
  const keys = config.keys.map((k) => loadClientKey(k.id, k.file));
  const endpoints = new Endpoints({
    config,
    keys,
    commands: context.commands,
    store: context.store,
    logger: context.logger,
    audit: (record) => context.audit(record),
  });
  await endpoints.start();
  return { state: { endpoints }, teardown: () => endpoints.stop() };
}

/** The plugin (`plugins: { rpc: … }`). */
export const rpcPlugin = definePlugin<RpcConfig, RpcState>({
  name: "rpc",
  description: "ChatOps RPC: methods that services list become commands, signed, permissioned and audited",
  configSchema: rpcConfigSchema,
  permissions: PERMISSIONS,
  commands: (_config, plugin) => adminCommands(plugin),
  setup,
});
