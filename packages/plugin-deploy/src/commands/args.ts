/**
 * Argument definitions shared by the deploy commands, validated before anything else runs.
 * @module
 */
import { arg, refProblem } from "@switchboard/core";
import { appOf, findApp, targetOf, unknownAppText } from "../apps.js";
import type { DeployConfig } from "../config.js";
import { hostsProblem, nameProblem } from "../names.js";

/** `app`: a configured app (any case). */
export function appArg(config: DeployConfig) {
  return arg.string({
    required: true,
    description: `the app (${Object.keys(config.apps).join(", ")})`,
    validate: (value) => {
      const name = value.toLowerCase();
      const problem = nameProblem(name);
      if (problem) return problem;
      return findApp(config, name) ? undefined : unknownAppText(config, name);
    },
  });
}

/** `env`: an environment name (whether the app has it is checked once the app is known). */
export const envArg = arg.string({
  description: "the environment (default: the app's default)",
  validate: (v) => nameProblem(v.toLowerCase()),
});

/** `env`, required. */
export const requiredEnvArg = arg.string({
  required: true,
  description: "the environment",
  validate: (v) => nameProblem(v.toLowerCase()),
});

/** `ref`: a branch, tag or commit. */
export const refArg = arg.string({
  description: "branch, tag or commit (default: the app's default ref)",
  validate: refProblem,
});

/** Lower-cases an app and (when given) an environment name, and checks both exist: what rules then see. */
export function normaliseTarget<A extends { app: string; env?: string | undefined }>(config: DeployConfig, args: A): A {
  const app = args.app.toLowerCase();
  const env = args.env?.toLowerCase();
  if (env === undefined) appOf(config, app);
  else targetOf(config, app, env);
  return { ...args, app, ...(env !== undefined ? { env } : {}) };
}

/** `task`: one of the app's configured tasks (also typed as `deploy:<task>`). */
export const taskArg = arg.string({
  description: "one of the app's tasks (the same as deploy:<task>)",
  validate: (v) => nameProblem(v.toLowerCase()),
});

/** `hosts`: comma-separated host names. */
export const hostsArg = arg.string({ description: "comma-separated hosts of the environment", validate: hostsProblem });
