/**
 * `ci status <app>/<ref>`: the combined CI state of a ref's commit with each context, and which environments
 * require which context.
 * @module
 */
import { type Block, defineCommand, out, type PluginHandle, UserError } from "@switchboard/core";
import { appOf } from "../apps.js";
import { ciVerdict, overallState } from "../ci.js";
import { resolveCommit } from "../commit.js";
import type { DeployConfig } from "../config.js";
import { ciContextsOf } from "../github.js";
import { short } from "../names.js";
import { PERMISSIONS } from "../permissions.js";
import type { DeployState } from "../state.js";
import { appArg, normaliseTarget, refArg } from "./args.js";

const LEVEL = { green: "ok", red: "fail", pending: "warn", none: "info" } as const;

/** The ci status command. */
export function ciStatusCommand(config: DeployConfig, plugin: PluginHandle<DeployState>) {
  return defineCommand({
    name: "ci status",
    summary: "The CI state of an app's ref: each context, and which environments it lets through",
    examples: ["ci status puppet/gh13", "ci status api"],
    pattern: "{app}[/{ref}]",
    // It spends the bot's GitHub token and starts git: not for guests.
    permission: PERMISSIONS.read,
    args: { app: appArg(config), ref: refArg },
    prepare: ({ args }) => {
      const prepared = normaliseTarget(config, args);
      return { ...prepared, ref: args.ref ?? appOf(config, prepared.app).defaultRef };
    },
    handler: async ({ args, signal }): Promise<Block[]> => {
      const appName = args.app;
      const app = appOf(config, appName);
      const ref = args.ref!;
      if (!plugin.state.github || !app.repository)
        throw new UserError(`${appName} has no GitHub repository configured, so there is no CI to ask`);
      const sha = await resolveCommit(plugin.state, app, ref, signal);
      const contexts = await ciContextsOf(plugin.state.github, app.repository, sha, signal);
      const overall = overallState(contexts);
      const blocks: Block[] = [
        out.status(
          LEVEL[overall],
          `${appName}/${ref} is ${short(sha)}: ${overall === "none" ? "no CI contexts reported" : `CI ${overall}`}`,
        ),
      ];
      if (contexts.length)
        blocks.push(
          out.table(
            ["context", "state", "description"],
            contexts.map((c) => [c.name, c.detail, [c.description, c.url].filter(Boolean).join(" ") || "-"]),
          ),
        );
      const gates = Object.entries(app.environments)
        .filter(([, env]) => env.requiredContexts.length > 0)
        .map(([envName, env]): [string, string] => {
          const verdict = ciVerdict(contexts, env.requiredContexts);
          const blocking = verdict.required.filter((r) => r.state !== "success").map((r) => `${r.name} ${r.detail}`);
          return [envName, verdict.green ? "open" : `closed (${blocking.join(", ")})`];
        });
      if (gates.length) blocks.push(out.facts(gates.map(([env, text]): [string, string] => [`gate ${env}`, text])));
      return blocks;
    },
  });
}
