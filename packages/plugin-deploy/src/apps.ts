/**
 * Lookups in the validated configuration: an app, its environments, their provider and approval.
 * @module
 */
import type { ApprovalRule } from "@switchboard/core";
import { UserError } from "@switchboard/core";
import type { AppConfig, DeployConfig, EnvironmentConfig, ProviderConfig } from "./config.js";

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

/** The approval an environment requires: configured, else one `deploy:approve` for `production`, else none. */
export function approvalFor(envName: string, env: EnvironmentConfig): ApprovalRule | undefined {
  const configured = env.approval ?? (envName === "production" ? { count: 1, permission: "deploy:approve" } : false);
  if (configured === false) return undefined;
  return {
    count: configured.count,
    permission: configured.permission,
    ...("ttl" in configured && configured.ttl ? { ttlMs: configured.ttl } : {}),
  };
}

/** The app, or a UserError listing the apps there are. */
export function appOf(config: DeployConfig, appName: string): AppConfig {
  const app = config.apps[appName];
  if (!app) throw new UserError(`unknown app "${appName}"; apps: ${Object.keys(config.apps).join(", ") || "none"}`);
  return app;
}

/** The app and environment, or a UserError naming what exists. */
export function targetOf(config: DeployConfig, appName: string, envName: string): Target {
  const app = appOf(config, appName);
  const env = app.environments[envName];
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
