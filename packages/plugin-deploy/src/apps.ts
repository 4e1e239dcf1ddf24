/**
 * Lookups in the validated configuration: an app, its environments, their provider and approval.
 * @module
 */
import type { ApprovalRule } from "@switchboard/core";
import { UserError } from "@switchboard/core";
import type { AppConfig, DeployConfig, EnvironmentConfig, ProviderConfig } from "./config.js";
import { PERMISSIONS } from "./permissions.js";

/** An app and one of its environments, with the provider and approval that apply. */
export interface Target {
  appName: string;
  app: AppConfig;
  envName: string;
  env: EnvironmentConfig;
  provider: ProviderConfig;
  approval: ApprovalRule | undefined;
}

/** The app's default environment: configured, else `production` if it has one, else its first. */
export function defaultEnvironment(app: AppConfig): string {
  const names = Object.keys(app.environments);
  return app.defaultEnvironment ?? (names.includes("production") ? "production" : names[0]!);
}

/** Environment names that are protected unless the configuration says `protected: false`. */
export const PROTECTED_NAMES = ["production", "prod"];

/** Whether an environment is protected: `protected` from the configuration, else by its name. */
export function isProtected(envName: string, env: EnvironmentConfig): boolean {
  return env.protected ?? PROTECTED_NAMES.includes(envName);
}

/**
 * The approval an environment requires: configured (`false` for none), else one `deploy:approve` for a protected
 * environment, else none.
 */
export function approvalFor(envName: string, env: EnvironmentConfig): ApprovalRule | undefined {
  const configured =
    env.approval ?? (isProtected(envName, env) ? { count: 1, permission: PERMISSIONS.approve } : false);
  if (configured === false) return undefined;
  return {
    count: configured.count,
    permission: configured.permission,
    ...("ttl" in configured && configured.ttl ? { ttlMs: configured.ttl } : {}),
  };
}

/**
 * The app configured under exactly this name, or undefined. Own properties only: chat text such as `constructor`
 * or `__proto__` never reaches `Object.prototype`.
 */
export function findApp(config: DeployConfig, appName: string): AppConfig | undefined {
  return Object.hasOwn(config.apps, appName) ? config.apps[appName] : undefined;
}

/** The environment of an app configured under exactly this name (own properties only), or undefined. */
export function findEnvironment(app: AppConfig, envName: string): EnvironmentConfig | undefined {
  return Object.hasOwn(app.environments, envName) ? app.environments[envName] : undefined;
}

/** `unknown app "x"; apps: a, b`. */
export function unknownAppText(config: DeployConfig, appName: string): string {
  return `unknown app "${appName}"; apps: ${Object.keys(config.apps).join(", ") || "none"}`;
}

/** The app, or a UserError listing the apps there are. */
export function appOf(config: DeployConfig, appName: string): AppConfig {
  const app = findApp(config, appName);
  if (!app) throw new UserError(unknownAppText(config, appName));
  return app;
}

/** The app and environment, or a UserError naming what exists. */
export function targetOf(config: DeployConfig, appName: string, envName: string): Target {
  const app = appOf(config, appName);
  const env = findEnvironment(app, envName);
  if (!env)
    throw new UserError(
      `${appName} has no environment "${envName}"; its environments: ${Object.keys(app.environments).join(", ")}`,
    );
  return { appName, app, envName, env, provider: (env.provider ?? app.provider)!, approval: approvalFor(envName, env) };
}

/** The longest a deploy can run under this configuration (provider timeout plus kill grace). */
export function longestDeploy(config: DeployConfig): number {
  let longest = 0;
  for (const app of Object.values(config.apps)) {
    for (const env of Object.values(app.environments)) {
      const provider = env.provider ?? app.provider;
      if (!provider) continue;
      longest = Math.max(longest, provider.timeout + (provider.type === "command" ? provider.killGrace : 0));
    }
  }
  return longest;
}
