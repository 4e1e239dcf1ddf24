/**
 * The plugin's configuration (`plugins.deploy` in the switchboard file), validated with zod at start-up.
 * @module
 */
import { durationSchema, parseDuration, refProblem } from "@switchboard/core";
import { z } from "zod";
import { hostsProblem, NAME_PATTERN, nameProblem } from "./names.js";
import { PERMISSIONS } from "./permissions.js";

const duration = (fallback: string) => durationSchema.default(parseDuration(fallback)!);

const name = z.string().regex(NAME_PATTERN, "lower-case letters, digits, - and _ (at most 63 characters)");

const ref = z.string().superRefine((value, ctx) => {
  const problem = refProblem(value);
  if (problem) ctx.addIssue({ code: "custom", message: problem });
});

const host = z.string().superRefine((value, ctx) => {
  const problem = value.includes(",") ? "one host per entry" : hostsProblem(value);
  if (problem) ctx.addIssue({ code: "custom", message: problem });
});

/** Runs a local executable: argv from the configuration only; chat values arrive as `DEPLOY_*` variables. */
export const commandProviderSchema = z
  .object({
    type: z.literal("command"),
    /** The executable and its fixed arguments (an argv array; never a shell line). */
    command: z.array(z.string().min(1)).min(1, "give the executable, e.g. [./deploy.sh]"),
    /** Working directory (default: where switchboard was started). */
    cwd: z.string().min(1).optional(),
    /** Extra environment variables for the process (use ${VAR} in the file for secrets). */
    env: z.record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, "an environment variable name"), z.string()).default({}),
    /** The process is stopped (SIGTERM, then SIGKILL) when it runs longer. */
    timeout: duration("30m"),
    /** Time between SIGTERM and SIGKILL on cancel or timeout. */
    killGrace: duration("10s"),
  })
  .strict();

/** Creates a GitHub Deployment (as heaven does) and follows its deployment statuses. */
export const githubProviderSchema = z
  .object({
    type: z.literal("github"),
    /** The deployment's task. */
    task: z.string().min(1).default("deploy"),
    /** How often the deployment statuses are read. */
    pollInterval: duration("5s"),
    /** Following stops (and the deploy counts as failed) after this long. */
    timeout: duration("30m"),
    /** Extra fields for the deployment's payload (app, ref, hosts, actor, approvers and job are always set). */
    payload: z.record(z.string(), z.unknown()).default({}),
    /**
     * True when the HTTP endpoint receives this repository's `deployment_status` webhooks: the asking room then
     * sees one message per deployment from the webhook, edited as it changes, and the provider follows the statuses
     * only to decide the outcome (it does not stream them too).
     */
    webhookStatuses: z.boolean().default(false),
  })
  .strict();

export const providerSchema = z.discriminatedUnion("type", [commandProviderSchema, githubProviderSchema]);

/** Approval of deploys to an environment: `false` for none. */
export const approvalSchema = z.union([
  z.literal(false),
  z
    .object({
      count: z.number().int().min(1).default(1),
      permission: z.string().min(1).default(PERMISSIONS.approve),
      ttl: duration("15m").optional(),
    })
    .strict(),
]);

/** Check-run conclusions that may count as green besides `success`, when a required context accepts them. */
export const ACCEPTABLE_CONCLUSIONS = ["neutral", "skipped"] as const;

/** A required CI context pinned to an app, or accepting more than `success`. */
const pinnedContextSchema = z
  .object({
    /** The commit status context or check-run name. */
    name: z.string().min(1),
    /**
     * The GitHub App that must report it: its slug (`github-actions`) or numeric id. Reports of the same name by
     * anyone else (another app, a person's token) are ignored.
     */
    app: z.union([z.string().regex(/^[a-z0-9][a-z0-9-]*$/, "an app slug"), z.number().int().positive()]).optional(),
    /** Conclusions besides `success` that count as green for this context. */
    accept: z.array(z.enum(ACCEPTABLE_CONCLUSIONS)).default([]),
  })
  .strict();

/**
 * A CI context that must be green: its name, or `{ name, app, accept }` to pin it to the GitHub App that must
 * report it and to accept `neutral` or `skipped` conclusions (never green otherwise).
 */
export const requiredContextSchema = z.union([
  z
    .string()
    .min(1)
    .transform((name): z.output<typeof pinnedContextSchema> => ({ name, accept: [] })),
  pinnedContextSchema,
]);

/** A branch name or a pattern with `*` (`release/*`), validated like a ref. */
const branchPattern = z.string().superRefine((value, ctx) => {
  const problem = refProblem(value.replaceAll("*", "x"));
  if (problem) ctx.addIssue({ code: "custom", message: problem });
});

export const environmentSchema = z
  .object({
    /** The hosts that may be named after the environment (`to production/fe1,fe2`); empty: any valid host name. */
    hosts: z.array(host).default([]),
    /** CI contexts (commit statuses or check runs) that must be green for the exact commit. */
    requiredContexts: z.array(requiredContextSchema).default([]),
    /**
     * Only these branches (names, or patterns with `*`) may be deployed here; the ref is resolved as a branch,
     * never as a tag or a commit id. Default: any ref.
     */
    branches: z.array(branchPattern).min(1).optional(),
    /** Room ids where deploys to this environment may be asked for (default: any room). */
    rooms: z.array(z.string().min(1)).min(1).optional(),
    /**
     * A protected environment needs approval unless `approval: false` says otherwise. Default: true for
     * environments named `production` or `prod`, false for the others.
     */
    protected: z.boolean().optional(),
    /** Approval before the provider runs (default: 1 × deploy:approve when protected, none otherwise). */
    approval: approvalSchema.optional(),
    /** Overrides the app's provider for this environment. */
    provider: providerSchema.optional(),
  })
  .strict();

export const appSchema = z
  .object({
    /** `owner/name` on GitHub: CI status, the github provider, and refs when `git` is not set. */
    repository: z
      .string()
      .regex(/^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/, "owner/name")
      .optional(),
    /** A git repository (path or URL) whose refs are resolved to commits with `git ls-remote` / `git rev-parse`. */
    git: z.string().min(1).optional(),
    /** The ref deployed when none is given. */
    defaultRef: ref.default("main"),
    /** The environment deployed to when none is given (default: `production` if the app has one, else the first). */
    defaultEnvironment: name.optional(),
    /** The provider of every environment that has none of its own. */
    provider: providerSchema.optional(),
    /**
     * Tasks besides `deploy` that people may ask for with hubot-deploy's `deploy:<task> <app>…` (`migrate`): passed
     * to the provider (the GitHub deployment's `task`, `DEPLOY_TASK`), recorded in history, seen by rules as `task`.
     */
    tasks: z.array(name).default([]),
    environments: z.record(z.string(), environmentSchema),
  })
  .strict();

/** Every task any app allows, once each (the `deploy:<task>` names the command answers to). */
export function allTasks(config: DeployConfig): string[] {
  return [...new Set(Object.values(config.apps).flatMap((app) => app.tasks))].sort();
}

const RESERVED = ["lock", "unlock", "locks", "cancel"];

export const deployConfigSchema = z
  .object({
    /** GitHub (or GitHub Enterprise) for CI status, refs and the github provider. */
    github: z
      .object({
        /** REST API base URL; GitHub Enterprise: https://HOST/api/v3. */
        baseUrl: z.url().default("https://api.github.com"),
        /** A token (use ${GITHUB_TOKEN}); needs read access to statuses and checks, and deployments for the provider. */
        token: z.string().min(1).optional(),
      })
      .strict()
      .optional(),
    /** The git executable. */
    gitCommand: z.string().min(1).default("git"),
    /** How long `deploy lock` holds an environment when no duration is given. */
    lockDuration: duration("1h"),
    /** The longest `deploy lock … for <duration>` anyone may ask for; longer requests are refused. */
    maxLockDuration: duration("24h"),
    /** Deploy records kept per app and environment. */
    historySize: z.number().int().min(1).max(10_000).default(100),
    apps: z.record(z.string(), appSchema),
  })
  .strict()
  .superRefine((config, ctx) => {
    if (config.lockDuration > config.maxLockDuration)
      ctx.addIssue({ code: "custom", path: ["lockDuration"], message: "is longer than maxLockDuration" });
    for (const [appName, app] of Object.entries(config.apps)) {
      const at = (...path: Array<string | number>) => ["apps", appName, ...path];
      const badName = nameProblem(appName);
      if (badName) ctx.addIssue({ code: "custom", path: at(), message: badName });
      for (const envName of Object.keys(app.environments)) {
        const problem = nameProblem(envName);
        if (problem) ctx.addIssue({ code: "custom", path: at("environments", envName), message: problem });
      }
      if (RESERVED.includes(appName))
        ctx.addIssue({ code: "custom", path: at(), message: `"${appName}" is a deploy subcommand; pick another name` });
      const envNames = Object.keys(app.environments);
      if (envNames.length === 0)
        ctx.addIssue({ code: "custom", path: at("environments"), message: "an app needs at least one environment" });
      if (app.defaultEnvironment && !envNames.includes(app.defaultEnvironment))
        ctx.addIssue({
          code: "custom",
          path: at("defaultEnvironment"),
          message: `"${app.defaultEnvironment}" is not one of its environments (${envNames.join(", ")})`,
        });
      const onGitHub = app.repository !== undefined && config.github !== undefined;
      if (!app.git && !onGitHub)
        ctx.addIssue({
          code: "custom",
          path: at(),
          message: "set git (a repository path or URL), or repository together with github, to resolve refs",
        });
      for (const [envName, env] of Object.entries(app.environments)) {
        const provider = env.provider ?? app.provider;
        if (!provider)
          ctx.addIssue({
            code: "custom",
            path: at("environments", envName, "provider"),
            message: "no provider: set one here or for the app",
          });
        if (provider?.type === "github" && !onGitHub)
          ctx.addIssue({
            code: "custom",
            path: at("environments", envName, "provider"),
            message: "the github provider needs the app's repository and the plugin's github settings",
          });
        if (env.requiredContexts.length > 0 && !onGitHub)
          ctx.addIssue({
            code: "custom",
            path: at("environments", envName, "requiredContexts"),
            message: "CI contexts are read from GitHub: set the app's repository and the plugin's github settings",
          });
      }
    }
  });

/** The validated configuration. */
export type DeployConfig = z.output<typeof deployConfigSchema>;
/** The configuration as written in the file. */
export type DeployConfigInput = z.input<typeof deployConfigSchema>;
export type AppConfig = z.output<typeof appSchema>;
export type EnvironmentConfig = z.output<typeof environmentSchema>;
export type ProviderConfig = z.output<typeof providerSchema>;
export type CommandProviderConfig = z.output<typeof commandProviderSchema>;
export type GithubProviderConfig = z.output<typeof githubProviderSchema>;
export type ApprovalConfig = Exclude<z.output<typeof approvalSchema>, false>;
export type RequiredContext = z.output<typeof requiredContextSchema>;

/**
 * Required CI contexts that name no GitHub App: anyone with push access to the repository can post a green status of
 * that name, so such a gate checks less than it seems. One warning per context (for `config check` and start).
 */
export function unpinnedContexts(config: DeployConfig): string[] {
  const warnings: string[] = [];
  for (const [appName, app] of Object.entries(config.apps))
    for (const [envName, env] of Object.entries(app.environments))
      for (const context of env.requiredContexts)
        if (context.app === undefined)
          warnings.push(
            `apps.${appName}.environments.${envName}.requiredContexts: "${context.name}" is not pinned to a GitHub App: ` +
              `anyone who can push to ${app.repository ?? "the repository"} can post a green "${context.name}" status. ` +
              `Pin it: { name: ${context.name}, app: <app slug> } (github-actions for GitHub Actions)`,
          );
  return warnings;
}
