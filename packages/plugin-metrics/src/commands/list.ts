/**
 * `graph list`: the aliases, from the configuration and saved from chat.
 * @module
 */
import { defineCommand, out, type PluginHandle } from "@switchboard/core";
import { aliasParams } from "../aliases.js";
import { PERMISSIONS } from "../permissions.js";
import type { MetricsState } from "../state.js";

/** The `graph list` command. */
export function listCommand(plugin: PluginHandle<MetricsState>) {
  return defineCommand({
    name: "graph list",
    summary: "List the saved graph aliases",
    examples: ["graph list"],
    permission: PERMISSIONS.read,
    handler: async ({ store }) => {
      const { aliases, defaultBackend } = plugin.state;
      const all = await aliases.list(store);
      if (all.length === 0) return out.text("no aliases yet; save one with: graph save <alias> <target>");
      return out.table(
        ["alias", "usage", "backend", "target", "from"],
        all.map((a) => [
          a.name,
          `graph ${a.name}${aliasParams(a.target)
            .map((p) => ` <${p}>`)
            .join("")}`,
          a.backend ?? defaultBackend.name,
          a.target,
          a.origin === "config" ? "config" : `saved by ${a.savedBy ?? "?"}`,
        ]),
      );
    },
  });
}
