/**
 * Loading the configuration: find the file, parse YAML, interpolate `${ENV}`, validate, and report every problem
 * with its key path and line.
 * @module
 */
import { existsSync, readFileSync } from "node:fs";
import { resolve } from "node:path";
import { suggest } from "@switchboard/core";
import { LineCounter, parseDocument } from "yaml";
import type { z } from "zod";
import { defaultConfigText } from "./default.js";
import { ConfigError, type ConfigIssue, type ConfigPath } from "./errors.js";
import { interpolate } from "./interpolate.js";
import { locate, type Position } from "./locate.js";
import { checkReferences } from "./references.js";
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
      const known = knownKeys(path, raw) ?? [];
      return issue.keys.map((key) => {
        const close = suggest(key, known, 1);
        const hint = close.length
          ? `; did you mean "${close[0]}"?`
          : known.length
            ? ` (known keys: ${known.join(", ")})`
            : "";
        return { path: [...path, key], message: `unknown key "${key}"${hint}` };
      });
    }
    return [{ path, message: issue.message }];
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

/**
 * Parses and validates configuration text. Throws a {@link ConfigError} listing every problem, each with its key
 * path and line; values that came from the environment are never shown (the `${NAME}` as written is shown instead).
 */
/** Keys whose values are secrets wherever they are in the configuration. */
const SECRET_KEY = /(secret|token|password|passphrase|credential|private.?key|signing.?key|recovery.?key)s?$/i;

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

export function parseConfig(text: string, source: string, options: LoadConfigOptions = {}): LoadedConfig {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: true });
  const where = (path: ConfigPath) => locate(doc.contents, path, lines);
  const placed = (issue: ConfigIssue): ConfigIssue => {
    const position = issue.line === undefined ? where(issue.path) : undefined;
    return position ? { ...issue, line: position.line, column: position.column } : issue;
  };

  if (doc.errors.length > 0) {
    throw new ConfigError(
      source,
      doc.errors.map((e) => ({
        path: [],
        message: `YAML: ${e.message.split("\n")[0]!.replace(/ at line \d+, column \d+:?$/, "")}`,
        ...(e.linePos ? { line: e.linePos[0].line, column: e.linePos[0].col } : {}),
      })),
    );
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
  else if (issues.length === 0) issues.push(...checkReferences(parsed.data, raw).map(placed));
  if (issues.length > 0 || !parsed.success) throw new ConfigError(source, byLine(issues.map(redact)));

  return {
    config: parsed.data,
    file: source === BUILT_IN ? undefined : resolve(source),
    source,
    locate: where,
    error: (later) => new ConfigError(source, byLine(later.map((issue) => redact(placed(issue))))),
  };
}

/**
 * Finds and loads the configuration: `file` if given, else `$SWITCHBOARD_CONFIG`, else `./switchboard.yaml` when it
 * exists, else the built-in default (see `switchboard config show-default`).
 */
export function loadConfig(file?: string, options: LoadConfigOptions = {}): LoadedConfig {
  const env = options.env ?? process.env;
  const cwd = options.cwd ?? process.cwd();
  const chosen = file ?? (env.SWITCHBOARD_CONFIG || undefined);
  if (chosen === undefined) {
    const local = resolve(cwd, "switchboard.yaml");
    if (!existsSync(local)) return parseConfig(defaultConfigText(options.login), BUILT_IN, options);
    return parseConfig(readFileSync(local, "utf8"), "switchboard.yaml", options);
  }
  let text: string;
  try {
    text = readFileSync(resolve(cwd, chosen), "utf8");
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
  return parseConfig(text, chosen, options);
}
