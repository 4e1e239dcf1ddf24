/**
 * `puppet rollout <env> <target> [--canary host] [--batch N] [--max-failures N] [--force]`: a staged rollout.
 * @module
 */
import {
  arg,
  type CommandContext,
  type CommandRequirement,
  defineCommand,
  type PluginHandle,
  type Reply,
} from "@switchboard/core";
import type { PuppetConfig } from "../config.js";
import { PERMISSIONS } from "../permissions.js";
import { executeRollout, type RolloutPlan } from "../rollout.js";
import { rolloutCheck } from "../rollout-gate.js";
import type { PuppetState } from "../state.js";
import { sameCommit } from "./apply.js";
import { checkedHosts, envArg, prepareTarget, resolveTarget, targetArg } from "./args.js";

/** Approval for environments that need it (puppet apply and puppet rollout). */
export function approvalRequirements(state: PuppetState, env: string): CommandRequirement[] {
  const { approval } = state.config;
  if (approval === false || !approval.environments.includes(env)) return [];
  return [
    {
      reason: `environment ${env}`,
      approval: { count: approval.count, permission: approval.permission, ttlMs: approval.ttl },
    },
  ];
}

/** Runs a rollout from its checked facts (what the approval showed is what runs). */
export async function runCheckedRollout(
  state: PuppetState,
  ctx: CommandContext<{ env: string; target: string }>,
  maxFailures: number,
): Promise<Reply> {
  const hosts = checkedHosts(ctx.checked);
  const { inventory } = resolveTarget(state, ctx.args.target);
  const commit = await sameCommit(state, ctx.args.env, ctx.checked.commit, ctx.signal);
  const plan: RolloutPlan = {
    env: ctx.args.env,
    target: ctx.args.target,
    hosts,
    batches: checkedBatches(hosts, ctx.checked.batches),
    maxFailures,
    inventory,
    commit,
    version: typeof ctx.checked.version === "string" ? ctx.checked.version : undefined,
  };
  return executeRollout(state, plan, ctx);
}

/** The batches the check planned (`fs1 | fs2,fs3`), which must cover exactly the checked hosts. */
function checkedBatches(hosts: string[], text: unknown): string[][] {
  const batches = String(text ?? "")
    .split(" | ")
    .map((b) => b.split(",").filter(Boolean))
    .filter((b) => b.length > 0);
  const planned = batches.flat();
  if (planned.length !== hosts.length || planned.some((h) => !hosts.includes(h)))
    throw new Error("the checked batches do not match the checked hosts");
  return batches;
}

/** The rollout command. */
export function rolloutCommand(config: PuppetConfig, plugin: PluginHandle<PuppetState>) {
  return defineCommand({
    name: "puppet rollout",
    summary: "Staged rollout: a canary, then batches; stops at the failure limit; needs a recent noop",
    examples: [
      "puppet rollout production fileservers",
      "puppet rollout production fs* --canary fs3 --batch 10 --max-failures 2",
    ],
    permission: PERMISSIONS.apply,
    sideEffect: true,
    timeoutMs: config.rollout.timeout,
    args: {
      env: envArg,
      target: targetArg,
      canary: arg.string({ description: "the host that runs alone first (default: the first host)" }),
      batch: arg.number({
        description: `hosts per batch after the canary (default ${config.rollout.batch})`,
        validate: (n) => (Number.isInteger(n) && n >= 1 && n <= 1000 ? undefined : "a whole number from 1 to 1000"),
      }),
      "max-failures": arg.number({
        description: `stop once this many hosts failed (default ${config.rollout.maxFailures})`,
        validate: (n) => (Number.isInteger(n) && n >= 1 ? undefined : "a whole number from 1"),
      }),
      force: arg.flag({ description: "roll out without a recent noop (needs puppet:force)" }),
    },
    prepare: ({ args }) => ({
      ...prepareTarget(plugin.state, args),
      batch: args.batch ?? config.rollout.batch,
      "max-failures": args["max-failures"] ?? config.rollout.maxFailures,
      ...(args.canary !== undefined ? { canary: args.canary.trim() } : {}),
    }),
    requirements: (args) => [
      ...(args.force ? [{ reason: "rollout without a recent noop", permission: PERMISSIONS.force }] : []),
      ...approvalRequirements(plugin.state, args.env),
    ],
    check: (ctx) =>
      rolloutCheck(plugin.state, ctx, {
        env: ctx.args.env,
        target: ctx.args.target,
        canary: ctx.args.canary,
        batch: ctx.args.batch ?? config.rollout.batch,
        maxFailures: ctx.args["max-failures"] ?? config.rollout.maxFailures,
        force: ctx.args.force,
      }),
    handler: (ctx) => runCheckedRollout(plugin.state, ctx, ctx.args["max-failures"] ?? config.rollout.maxFailures),
  });
}
