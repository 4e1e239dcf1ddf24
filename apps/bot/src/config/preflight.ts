/**
 * `config check` as a real preflight: every problem of every stage in one run — YAML, `${ENV}`, the schema,
 * references between sections, each plugin's own section, and what `start` would find (see start-checks.ts) — each
 * with its key path, line and a hint in plain words.
 * @module
 */
import { resolve } from "node:path";
import type { Bot } from "@switchboard/core";
import { MemoryAuditLog, MemoryStore, silentLogger } from "@switchboard/core";
import { buildBot } from "../build-bot.js";
import { type LoadedPlugin, loadPlugins } from "../plugins.js";
import { enterConfigFolder } from "./config-folder.js";
import { ConfigError, type ConfigIssue } from "./errors.js";
import { BUILT_IN, inspectConfig, type LoadedConfig, readConfigText } from "./load.js";
import { startChecks } from "./start-checks.js";

/** What the preflight found: the problems, and (when there are none) the loaded configuration, plugins and bot. */
export interface Preflight {
  source: string;
  issues: ConfigIssue[];
  ready: { loaded: LoadedConfig; plugins: LoadedPlugin[]; bot: Bot } | undefined;
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);

/** Runs every check on the configuration `file` (or the default one); enters its folder first. */
export async function preflight(file?: string): Promise<Preflight> {
  const { text, source } = readConfigText(file);
  const inspection = inspectConfig(text, source);
  if (inspection.unreadable) return { source, issues: inspection.issues, ready: undefined };
  enterConfigFolder({ file: source === BUILT_IN ? undefined : resolve(source) });

  const later: ConfigIssue[] = [];
  // Plugins are checked even when the main file has problems: from what the file says under plugins:.
  const pluginsSection = isRecord((inspection.raw as Record<string, unknown>)?.plugins)
    ? ((inspection.raw as Record<string, unknown>).plugins as Record<string, unknown>)
    : {};
  const pluginView =
    inspection.loaded ??
    ({
      config: { plugins: pluginsSection },
      error: (issues: ConfigIssue[]) => new ConfigError(source, issues),
    } as unknown as LoadedConfig);
  let plugins: LoadedPlugin[] = [];
  try {
    plugins = await loadPlugins(pluginView);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    later.push(...error.issues.map(({ path, message }) => ({ path, message })));
  }
  later.push(...startChecks(inspection.raw));

  let bot: Bot | undefined;
  if (inspection.loaded && later.length === 0 && inspection.issues.length === 0) {
    try {
      bot = buildBot(inspection.loaded.config, {
        store: new MemoryStore(),
        auditLog: new MemoryAuditLog(),
        logger: silentLogger(),
        plugins,
      });
    } catch (error) {
      if (error instanceof ConfigError) later.push(...error.issues);
      else later.push({ path: [], message: error instanceof Error ? error.message : String(error) });
    }
  }
  const placedLater = inspection.finish(later);
  const issues = [...inspection.issues, ...placedLater].sort(
    (a, b) => (a.line ?? 0) - (b.line ?? 0) || (a.column ?? 0) - (b.column ?? 0),
  );
  return {
    source,
    issues,
    ready: bot && inspection.loaded ? { loaded: inspection.loaded, plugins, bot } : undefined,
  };
}
