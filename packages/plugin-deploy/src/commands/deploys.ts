/**
 * `deploys <app> [in <env>]`: recent deploys with who, what ref and commit, when, outcome, duration and approvers.
 * @module
 */
import { type Block, defineCommand, formatDuration, out } from "@switchboard/core";
import type { DeployConfig } from "../config.js";
import { History } from "../history.js";
import { short } from "../names.js";
import { PERMISSIONS } from "../permissions.js";
import { appArg, envArg, normaliseTarget } from "./args.js";

const SHOWN = 10;

/** The deploys command. */
export function deploysCommand(config: DeployConfig) {
  return defineCommand({
    name: "deploys",
    summary: "Recent deploys of an app: who, what, when, outcome, duration, approvers",
    examples: ["deploys puppet", "deploys api in production"],
    pattern: "{app} [in {env}]",
    permission: PERMISSIONS.read,
    args: { app: appArg(config), env: envArg },
    // An unknown environment gets an answer naming the known ones.
    prepare: ({ args }) => normaliseTarget(config, args),
    handler: async ({ args, store }): Promise<Block[] | string> => {
      const { app, env } = args;
      const records = (await new History(store, config.historySize).list(app, env)).slice(0, SHOWN);
      if (records.length === 0) return `no deploys of ${app}${env ? ` in ${env}` : ""} yet`;
      const now = Date.now();
      const rows = records.map((r) => [
        `${formatDuration(now - Date.parse(r.startedAt))} ago`,
        r.env + (r.hosts.length ? `/${r.hosts.join(",")}` : ""),
        `${r.task ? `${r.task}: ` : ""}${r.ref} (${short(r.sha)})`,
        r.actorName,
        r.outcome + (r.force ? " (forced)" : "") + (r.rollbackOf ? " (rollback)" : ""),
        r.durationMs !== undefined ? formatDuration(r.durationMs) : "-",
        r.approvers.join(", ") || "-",
        r.job,
      ]);
      return [out.table(["when", "where", "ref", "who", "outcome", "took", "approved by", "job"], rows)];
    },
  });
}
