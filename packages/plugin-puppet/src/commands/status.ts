/**
 * `puppet status [target]`: each host's last run from its last run summary, so runs that did not come from chat
 * (the agent's schedule, someone on the host) show too; runs from chat are labelled with their job.
 * @module
 */
import { arg, defineCommand, formatDuration, out, type PluginHandle } from "@switchboard/core";
import type { PuppetConfig } from "../config.js";
import { loadInventory } from "../inventory.js";
import { printable, shortVersion } from "../names.js";
import { PERMISSIONS } from "../permissions.js";
import { chatRun, isChatRun } from "../records.js";
import type { LastRun } from "../run-result.js";
import type { PuppetState } from "../state.js";

/** The status command. */
export function statusCommand(config: PuppetConfig, plugin: PluginHandle<PuppetState>) {
  return defineCommand({
    name: "puppet status",
    summary: "Each host's last puppet run (from chat or not): when, environment, commit, changes, failures",
    permission: PERMISSIONS.read,
    examples: ["puppet status", "puppet status fileservers", "puppet status fs1"],
    args: { target: arg.string({ positional: true, default: "all", description: "a host, group, glob or all" }) },
    timeoutMs: 2 * 60_000,
    handler: async (ctx) => {
      const inventory = loadInventory(config);
      const target = inventory.resolve(ctx.args.target);
      const rows: string[][] = new Array(target.hosts.length);
      let next = 0;
      const worker = async () => {
        while (next < target.hosts.length) {
          const index = next++;
          const host = inventory.hosts.get(target.hosts[index]!)!;
          rows[index] = await plugin.state.runner
            .lastRun(host, ctx.signal)
            .then(async (last) => row(host.name, last, await chatRun(ctx.store, host.name)))
            .catch((error: unknown) => [
              host.name,
              `unreachable: ${printable(String((error as Error).message ?? error), 100)}`,
              "",
              "",
              "",
              "",
              "",
              "",
              "",
            ]);
        }
      };
      await Promise.all(Array.from({ length: Math.min(config.concurrency, target.hosts.length) }, worker));
      return out.table(
        ["host", "last run", "environment", "commit", "changed", "failed", "pending", "took", "from"],
        rows,
      );
    },
  });
}

function row(host: string, last: LastRun | undefined, chat: Awaited<ReturnType<typeof chatRun>>): string[] {
  if (!last || last.time === undefined) return [host, "never", "", "", "", "", "", "", ""];
  const ours = isChatRun(chat, last.time);
  const version = ours && chat.commit ? chat.commit : last.configurationVersion;
  return [
    host,
    `${formatDuration(Math.max(0, Date.now() - last.time * 1000))} ago`,
    last.environment ?? "",
    version ? shortVersion(version) : "",
    String(last.changed),
    String(last.failed),
    String(last.noop),
    last.totalSeconds !== undefined ? formatDuration(last.totalSeconds * 1000) : "",
    ours ? `job ${chat.job} (${chat.mode}, ${chat.actor})` : "outside chat",
  ];
}
