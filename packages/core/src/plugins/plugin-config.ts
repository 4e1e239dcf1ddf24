/**
 * A plugin's configuration, validated once by core: against the plugin's schema, with every problem as a key path
 * under `plugins.<name>` (so the CLI can place it in the file). `bot.use` takes either a raw configuration, which it
 * validates here, or the result of {@link validatePluginConfig}, which it takes as is.
 * @module
 */
import type { AnyPlugin } from "./plugin.js";

/** One problem of a plugin's configuration, at a key path starting with `plugins`, `<name>`. */
export interface PluginConfigIssue {
  path: Array<string | number>;
  message: string;
}

/** A plugin's configuration that its schema refused; `issues` has every problem with its key path. */
export class PluginConfigError extends Error {
  constructor(
    readonly plugin: string,
    readonly issues: PluginConfigIssue[],
  ) {
    const lines = issues.map((i) => `${i.path.join(".")}: ${i.message}`);
    super(`invalid configuration for plugin ${plugin}:\n  ${lines.join("\n  ")}`);
    this.name = "PluginConfigError";
  }
}

const validated = new WeakSet<object>();

/** A configuration core's validation accepted for one plugin; only {@link validatePluginConfig} makes one. */
export interface ValidPluginConfig {
  readonly plugin: AnyPlugin;
  readonly value: unknown;
}

/**
 * Validates `raw` against the plugin's schema (a plugin without a schema takes it as is). Throws a
 * {@link PluginConfigError} listing every problem.
 */
export function validatePluginConfig(plugin: AnyPlugin, raw: unknown): ValidPluginConfig {
  let value: unknown = raw;
  if (plugin.configSchema) {
    const parsed = plugin.configSchema.safeParse(raw ?? {});
    if (!parsed.success)
      throw new PluginConfigError(
        plugin.name,
        parsed.error.issues.map((issue) => ({
          path: ["plugins", plugin.name, ...issue.path.filter((p): p is string | number => typeof p !== "symbol")],
          message: issue.message,
        })),
      );
    value = parsed.data;
  }
  const result: ValidPluginConfig = Object.freeze({ plugin, value });
  validated.add(result);
  return result;
}

/** The validated configuration for `plugin`: `config` itself when validation already accepted it, else validated now. */
export function pluginConfigOf(plugin: AnyPlugin, config: unknown): unknown {
  if (typeof config === "object" && config !== null && validated.has(config))
    if ((config as ValidPluginConfig).plugin === plugin) return (config as ValidPluginConfig).value;
  return validatePluginConfig(plugin, config).value;
}
