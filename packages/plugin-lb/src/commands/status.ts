/**
 * `lb status [backend] [--site s]`: each server's state, health check, current and total sessions and weight, from
 * every instance of the site (an instance that does not answer is named).
 * @module
 */
import { arg, defineCommand, out, type PluginHandle, type Reply, UserError } from "@switchboard/core";
import { isServing } from "../haproxy.js";
import { nameProblem } from "../names.js";
import { PERMISSIONS } from "../permissions.js";
import { answered, backendsOf, siteName, snapshot } from "../site.js";
import type { LbState } from "../state.js";
import { siteArg } from "./args.js";

/** The `lb status` command. */
export function statusCommand(handle: PluginHandle<LbState>) {
  return defineCommand({
    name: "lb status",
    summary: "Servers of a backend (or all): state, health check, current and total sessions, weight",
    examples: ["lb status web", "lb status", "lb status web --site dc2"],
    permission: PERMISSIONS.read,
    args: {
      backend: arg.string({
        positional: true,
        description: "the HAProxy backend (default: all)",
        validate: nameProblem,
      }),
      site: siteArg,
    },
    prepare: ({ args }) => {
      const { config } = handle.state;
      return { ...args, site: siteName(config, args.site) };
    },
    async handler({ args, signal }): Promise<Reply> {
      const { sites } = handle.state;
      const site = args.site!;
      const instances = sites.get(site)!;
      const snapshots = await snapshot(instances, signal);
      const ok = answered(snapshots, site);
      if (args.backend !== undefined && !ok.some((s) => s.servers.some((r) => r.backend === args.backend)))
        throw new UserError(
          `no backend ${args.backend} on ${site}`,
          `backends: ${backendsOf(ok).join(", ") || "none"}`,
        );
      const several = instances.length > 1;
      const rows: string[][] = [];
      for (const snap of ok)
        for (const r of snap.servers)
          if (args.backend === undefined || r.backend === args.backend)
            rows.push([
              ...(several ? [snap.instance.name] : []),
              `${r.backend}/${r.server}`,
              r.status,
              r.check || "-",
              String(r.current),
              String(r.total),
              String(r.weight),
            ]);
      const serving = ok
        .flatMap((s) => s.servers)
        .filter((r) => args.backend === undefined || r.backend === args.backend);
      const up = serving.filter(isServing).length;
      const blocks: Reply = [
        out.text(`${args.backend ?? "all backends"} on ${site}: ${up} of ${serving.length} taking traffic`),
        out.table([...(several ? ["instance"] : []), "server", "state", "check", "current", "total", "weight"], rows),
      ];
      for (const snap of snapshots)
        if (snap.error !== undefined)
          blocks.push(out.status("fail", `${snap.instance.name} did not answer: ${snap.error}`));
      return blocks;
    },
  });
}
