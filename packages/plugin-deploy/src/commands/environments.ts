/**
 * `where can I deploy <app>` / `environments <app>`: environments with hosts, CI contexts, branches, rooms, approval,
 * provider, locks and the last deploy.
 * @module
 */
import { type Block, defineCommand, formatDuration, out } from "@switchboard/core";
import { appOf, targetOf } from "../apps.js";
import type { DeployConfig } from "../config.js";
import { History } from "../history.js";
import { holdLockName, runLockName } from "../locks.js";
import { short } from "../names.js";
import { PERMISSIONS } from "../permissions.js";
import { appArg, normaliseTarget } from "./args.js";

/** The environments command. */
export function environmentsCommand(config: DeployConfig) {
  return defineCommand({
    name: "where can i deploy",
    aliases: ["environments"],
    summary: "An app's environments: hosts, required CI, rooms, approval, locks, last deploy",
    examples: ["where can I deploy puppet", "environments api"],
    pattern: "{app}",
    permission: PERMISSIONS.read,
    args: { app: appArg(config) },
    prepare: ({ args }) => normaliseTarget(config, args),
    handler: async ({ args, locks, store }): Promise<Block[]> => {
      const { app } = args;
      const held = await locks.list();
      const history = new History(store, config.historySize);
      const now = Date.now();
      const rows: string[][] = [];
      for (const envName of Object.keys(appOf(config, app).environments)) {
        const target = targetOf(config, app, envName);
        const hold = held.find((l) => l.name === holdLockName(app, envName));
        const running = held.find((l) => l.name === runLockName(app, envName));
        const last = (await history.list(app, envName))[0];
        rows.push([
          envName,
          target.env.hosts.join(", ") || "any",
          target.env.requiredContexts
            .map((c) => (c.app === undefined ? c.name : `${c.name} (by ${c.app})`))
            .join(", ") || "none",
          target.env.branches?.join(", ") ?? "any",
          target.env.rooms?.join(", ") ?? "any",
          target.approval ? `${target.approval.count ?? 1} × ${target.approval.permission}` : "none",
          target.provider.type,
          running ? `deploying: ${running.reason}` : hold ? `locked by ${hold.owner}: ${hold.reason}` : "free",
          last
            ? `${last.ref} (${short(last.sha)}) by ${last.actorName} ${formatDuration(now - Date.parse(last.startedAt))} ago, ${last.outcome}`
            : "never",
        ]);
      }
      return [
        out.table(
          ["environment", "hosts", "required CI", "branches", "rooms", "approval", "provider", "lock", "last deploy"],
          rows,
        ),
      ];
    },
  });
}
