/**
 * Plugins named in `plugins:` are loaded by dynamic import of `@switchboard/plugin-<name>`, whose default export is
 * a core Plugin; each one's configuration is validated by core (once: `bot.use` takes the result as is), with errors
 * placed in the file.
 * @module
 */
import { type Plugin, suggest } from "@switchboard/core";
import { PluginConfigError, type ValidPluginConfig, validatePluginConfig } from "@switchboard/core/app";
import type { z } from "zod";
import pkg from "../package.json" with { type: "json" };
import { plainMessage, schemaKeysAt, unknownKeyMessage } from "./config/hints.js";
import type { LoadedConfig } from "./config/load.js";

/** A plugin ready for `bot.use(plugin, config)`. */
export interface LoadedPlugin {
  /** The key under `plugins:`. */
  name: string;
  plugin: Plugin<unknown>;
  /** The configuration from the file, validated by core against the plugin's schema. */
  config: ValidPluginConfig;
}

/** Imports a plugin package by plugin name (replaceable for embedding and tests). */
export type PluginImporter = (name: string) => Promise<unknown>;

/** The package a plugin name stands for. */
export const pluginPackage = (name: string) => `@switchboard/plugin-${name}`;

/** The default importer: `import("@switchboard/plugin-<name>")`, resolved from the switchboard package. */
export const importPluginPackage: PluginImporter = (name) => import(pluginPackage(name));

function isPlugin(value: unknown): value is Plugin<unknown> {
  if (typeof value !== "object" || value === null) return false;
  const candidate = value as Partial<Plugin<unknown>>;
  return (
    typeof candidate.name === "string" &&
    (Array.isArray(candidate.commands) || typeof candidate.commands === "function")
  );
}

/** The plugin names this installation has: the `@switchboard/plugin-*` dependencies of the switchboard package. */
export function installedPlugins(): string[] {
  return Object.keys(pkg.dependencies)
    .filter((dep) => dep.startsWith("@switchboard/plugin-"))
    .map((dep) => dep.slice("@switchboard/plugin-".length))
    .sort();
}

/** Why importing a plugin package failed, in words. */
function importProblem(name: string, error: unknown): string {
  const pkg = pluginPackage(name);
  const err = error as NodeJS.ErrnoException;
  if (err?.code === "ERR_MODULE_NOT_FOUND" && String(err.message).includes(`'${pkg}'`)) {
    const close = suggest(name, installedPlugins(), 1);
    return close.length
      ? `no plugin "${name}"; did you mean "${close[0]}"? (installed: ${installedPlugins().join(", ")})`
      : `the plugin package ${pkg} is not installed (installed: ${installedPlugins().join(", ") || "none"}; add it to the switchboard app's dependencies)`;
  }
  return `the plugin package ${pkg} failed to load: ${err instanceof Error ? err.message : String(error)}`;
}

/**
 * Imports every configured plugin and validates its configuration. Throws one {@link ConfigError} listing every
 * plugin that is missing, is not a plugin, or has a bad configuration (with key paths and lines).
 */
export async function loadPlugins(
  loaded: LoadedConfig,
  importer: PluginImporter = importPluginPackage,
): Promise<LoadedPlugin[]> {
  const plugins: LoadedPlugin[] = [];
  const issues: Array<{ path: Array<string | number>; message: string }> = [];
  for (const [name, rawConfig] of Object.entries(loaded.config.plugins)) {
    let module: unknown;
    try {
      module = await importer(name);
    } catch (error) {
      issues.push({ path: ["plugins", name], message: importProblem(name, error) });
      continue;
    }
    const plugin = (module as { default?: unknown })?.default;
    if (!isPlugin(plugin)) {
      issues.push({
        path: ["plugins", name],
        message: `${pluginPackage(name)} has no default export made with definePlugin()`,
      });
      continue;
    }
    // Core validates once; when it refuses, the problems are worded for people (the schema is read again for that).
    try {
      plugins.push({ name, plugin, config: validatePluginConfig(plugin, rawConfig ?? undefined) });
    } catch (error) {
      if (!(error instanceof PluginConfigError)) throw error;
      issues.push(...plainIssues(plugin, name, rawConfig ?? undefined));
    }
  }
  if (issues.length > 0) throw loaded.error(issues);
  return plugins;
}

/** A refused plugin configuration's problems in plain words: unknown keys with "did you mean", others explained. */
function plainIssues(plugin: Plugin<unknown>, name: string, config: unknown) {
  const issues: Array<{ path: Array<string | number>; message: string }> = [];
  const parsed = plugin.configSchema?.safeParse(config ?? {});
  if (!parsed || parsed.success) return issues;
  for (const issue of parsed.error.issues) {
    const path = issue.path.filter((p): p is string | number => typeof p !== "symbol");
    if (issue.code === "unrecognized_keys") {
      const known = schemaKeysAt(plugin.configSchema as z.core.$ZodType, path) ?? [];
      for (const key of issue.keys)
        issues.push({ path: ["plugins", name, ...path, key], message: unknownKeyMessage(key, known) });
    } else issues.push({ path: ["plugins", name, ...path], message: plainMessage(issue, path, config ?? {}) });
  }
  return issues;
}
