/**
 * `puppet hosts [target]`: the inventory, with each host's groups and how it is reached.
 * @module
 */
import { arg, defineCommand, out, type PluginHandle } from "@switchboard/core";
import type { PuppetConfig } from "../config.js";
import { formatHosts } from "../host-list.js";
import { loadInventory } from "../inventory.js";
import { PERMISSIONS } from "../permissions.js";
import type { PuppetState } from "../state.js";

/** The hosts command. */
export function hostsCommand(config: PuppetConfig, plugin: PluginHandle<PuppetState>) {
  return defineCommand({
    name: "puppet hosts",
    summary: "The Puppet inventory: hosts, their groups and how they are reached",
    permission: PERMISSIONS.read,
    examples: ["puppet hosts", "puppet hosts fileservers"],
    args: { target: arg.string({ positional: true, default: "all", description: "a host, group, glob or all" }) },
    handler: (ctx) => {
      const inventory = loadInventory(config);
      const target = inventory.resolve(ctx.args.target);
      const rows = target.hosts.map((name) => {
        const host = inventory.hosts.get(name)!;
        return [name, inventory.groupsOf(name).join(", "), plugin.state.runner.describe(host)];
      });
      const groups = [...inventory.groups].map(([g, members]) => `${g}: ${formatHosts(members)}`);
      return [
        out.table(["host", "groups", "reached by"], rows),
        ...(target.kind === "all" && groups.length ? [out.text(`groups — ${groups.join("; ")}`)] : []),
      ];
    },
  });
}
