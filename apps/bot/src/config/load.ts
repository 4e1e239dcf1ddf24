/**
 * Loading the configuration: find the file, parse YAML, interpolate `${ENV}`, validate, and report every problem
 * with its key path and line.
 * @module
 */
import { existsSync, readFileSync } from "node:fs";
import { resolve } from "node:path";
import { LineCounter, parseDocument } from "yaml";
import type { z } from "zod";
import { defaultConfigText } from "./default.js";
import { ConfigError, type ConfigIssue, type ConfigPath } from "./errors.js";
import { plainMessage, schemaKeysAt, unknownKeyMessage } from "./hints.js";
import { interpolate } from "./interpolate.js";
import { locate, type Position } from "./locate.js";
import { checkReferences, referenceView } from "./references.js";
import { configSchema, knownKeys, type SwitchboardConfig } from "./schema.js";

/** What {@link loadConfig} found. */
export interface LoadedConfig {
  config: SwitchboardConfig;
  /** Absolute path of the file, or undefined for the built-in default. */
  file: string | undefined;
  /** The file as given, or `(built-in default)`: what messages name. */
  source: string;
  /** Where a key path is in the file. */
  locate(path: ConfigPath): Position | undefined;
  /** A {@link ConfigError} for problems found later (plugin configuration), with their positions filled in. */
  error(issues: Array<{ path: ConfigPath; message: string }>): ConfigError;
  /** The file's content after `${ENV}` interpolation, before validation (for the start checks). */
  raw?: unknown;
}

/** Options for {@link loadConfig} and {@link parseConfig}. */
export interface LoadConfigOptions {
  /** Variables for `${NAME}`. Default `process.env`. */
  env?: Record<string, string | undefined>;
  /** Where `./switchboard.yaml` is looked for. Default `process.cwd()`. */
  cwd?: string;
  /** The login the built-in default gives the owner role. Default: the OS login. */
  login?: string;
}

/** Name used in messages for the built-in configuration. */
export const BUILT_IN = "(built-in default)";

/** zod issues as config issues: unknown keys one per key (with a suggestion), paths kept. */
function fromZod(issues: z.core.$ZodIssue[], raw: unknown): ConfigIssue[] {
  return issues.flatMap((issue): ConfigIssue[] => {
    const path = issue.path.filter((p): p is string | number => typeof p !== "symbol");
    if (issue.code === "invalid_union") {
      // "Invalid input" says little: when exactly one alternative got past the type check, its problems are the point.
      const relevant = issue.errors.filter(
        (branch) => !branch.every((i) => i.code === "invalid_type" && i.path.length === 0),
      );
      if (relevant.length === 1)
        return fromZod(
          relevant[0]!.map((i) => ({ ...i, path: [...issue.path, ...i.path] })),
          raw,
        );
    }
    if (issue.code === "unrecognized_keys") {
      const known = knownKeys(path, raw) ?? schemaKeysAt(configSchema, path) ?? [];
      return issue.keys.map((key) => ({ path: [...path, key], message: unknownKeyMessage(key, known) }));
    }
    return [{ path, message: plainMessage(issue, path, raw) }];
  });
}

/** Issues in file order (those without a line first). */
function byLine(issues: ConfigIssue[]): ConfigIssue[] {
  return issues
    .map((issue, index) => ({ issue, index }))
    .sort(
      (a, b) =>
        (a.issue.line ?? 0) - (b.issue.line ?? 0) || (a.issue.column ?? 0) - (b.issue.column ?? 0) || a.index - b.index,
    )
    .map(({ issue }) => issue);
}

/** Everything found in configuration text, without throwing: for `config check`, which reports every stage. */
export interface ConfigInspection {
  source: string;
  /** The file's content after `${ENV}` interpolation ({} when it is not YAML). */
  raw: unknown;
  /** Problems so far (YAML, `${ENV}`, schema, references), placed and redacted. */
  issues: ConfigIssue[];
  /** True when the YAML itself could not be read (nothing else was checked). */
  unreadable: boolean;
  /** The loaded configuration, when there was no problem. */
  loaded: LoadedConfig | undefined;
  /** Places (line, column) and redacts (values from the environment) problems found later. */
  finish(later: ConfigIssue[]): ConfigIssue[];
}

/**
 * Parses and validates configuration text and reports every problem found (with key path and line) instead of
 * throwing; see {@link parseConfig}.
 */
/** Keys whose values are secrets wherever they are in the configuration. */
const SECRET_KEY =
  /(secret|token|password|passphrase|credential|private.?key|signing.?key|recovery.?key|state.?key)s?$/i;

/** The string values under secret-named keys anywhere in `raw` (aliases are already resolved there). */
function secretValues(raw: unknown, found: string[] = [], depth = 0): string[] {
  if (depth > 32 || raw === null || typeof raw !== "object") return found;
  for (const [key, value] of Object.entries(raw)) {
    if (!SECRET_KEY.test(key)) {
      secretValues(value, found, depth + 1);
      continue;
    }
    if (typeof value === "string") found.push(value);
    if (Array.isArray(value)) for (const item of value) if (typeof item === "string") found.push(item);
  }
  return found;
}

export function inspectConfig(text: string, source: string, options: LoadConfigOptions = {}): ConfigInspection {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: true });
  const where = (path: ConfigPath) => locate(doc.contents, path, lines);
  const placed = (issue: ConfigIssue): ConfigIssue => {
    const position = issue.line === undefined ? where(issue.path) : undefined;
    return position ? { ...issue, line: position.line, column: position.column } : issue;
  };

  if (doc.errors.length > 0) {
    const issues = doc.errors.map((e) => ({
      path: [],
      message: `YAML: ${e.message.split("\n")[0]!.replace(/ at line \d+, column \d+:?$/, "")}`,
      ...(e.linePos ? { line: e.linePos[0].line, column: e.linePos[0].col } : {}),
    }));
    return { source, raw: {}, issues, unreadable: true, loaded: undefined, finish: (later) => later.map(placed) };
  }

  const { problems, substituted } = interpolate(doc.contents, options.env ?? process.env);
  const issues: ConfigIssue[] = problems.map((p) => placed({ path: p.path, message: p.message }));
  const raw: unknown = doc.toJS() ?? {};
  // A value from the environment, or under a key that names a secret, is never printed, whichever key the message is
  // about: a YAML alias (`listen: *token`) puts the same value under another key.
  const hidden = [
    ...[...substituted.values()].map(({ written, value }) => ({ value, shown: written })),
    ...secretValues(raw).map((value) => ({ value, shown: "[redacted]" })),
  ]
    .filter(({ value }) => value.length >= 4)
    .sort((a, b) => b.value.length - a.value.length);
  const redact = (issue: ConfigIssue): ConfigIssue => {
    let { message } = issue;
    for (const { value, shown } of hidden) message = message.split(value).join(shown);
    return { ...issue, message };
  };

  const parsed = configSchema.safeParse(raw);
  if (!parsed.success) issues.push(...fromZod(parsed.error.issues, raw).map(placed));
  // Every stage in one run: references are checked on what can be read even when the shapes are wrong.
  issues.push(...checkReferences(parsed.success ? parsed.data : referenceView(raw), raw).map(placed));
  const finish = (later: ConfigIssue[]) => byLine(later.map((issue) => redact(placed(issue))));
  const loaded: LoadedConfig | undefined =
    issues.length === 0 && parsed.success
      ? {
          config: parsed.data,
          file: source === BUILT_IN ? undefined : resolve(source),
          source,
          locate: where,
          error: (later) => new ConfigError(source, finish(later)),
          raw,
        }
      : undefined;
  return { source, raw, issues: byLine(issues.map(redact)), unreadable: false, loaded, finish };
}

/**
 * Parses and validates configuration text. Throws a {@link ConfigError} listing every problem, each with its key
 * path and line; values that came from the environment are never shown (the `${NAME}` as written is shown instead).
 */
export function parseConfig(text: string, source: string, options: LoadConfigOptions = {}): LoadedConfig {
  const inspection = inspectConfig(text, source, options);
  if (!inspection.loaded) throw new ConfigError(source, inspection.issues);
  return inspection.loaded;
}

/** The configuration text to use and the name messages give it (see {@link loadConfig} for the order). */
export function readConfigText(file?: string, options: LoadConfigOptions = {}): { text: string; source: string } {
  const env = options.env ?? process.env;
  const cwd = options.cwd ?? process.cwd();
  const chosen = file ?? (env.SWITCHBOARD_CONFIG || undefined);
  if (chosen === undefined) {
    const local = resolve(cwd, "switchboard.yaml");
    if (!existsSync(local)) return { text: defaultConfigText(options.login), source: BUILT_IN };
    return { text: readFileSync(local, "utf8"), source: "switchboard.yaml" };
  }
  try {
    return { text: readFileSync(resolve(cwd, chosen), "utf8"), source: chosen };
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why =
      code === "ENOENT"
        ? "there is no such file"
        : code === "EISDIR"
          ? "it is a directory"
          : String((error as Error).message);
    throw new ConfigError(chosen, [{ path: [], message: `cannot read the configuration file: ${why}` }]);
  }
}

/**
 * Finds and loads the configuration: `file` if given, else `$SWITCHBOARD_CONFIG`, else `./switchboard.yaml` when it
 * exists, else the built-in default (see `switchboard config show-default`).
 */
export function loadConfig(file?: string, options: LoadConfigOptions = {}): LoadedConfig {
  const { text, source } = readConfigText(file, options);
  return parseConfig(text, source, options);
}
