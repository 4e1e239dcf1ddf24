/**
 * Configuration problems, each with the key path and (when known) the place in the file.
 * @module
 */

/** A key path into the configuration: `["adapters", 0, "type"]`. */
export type ConfigPath = ReadonlyArray<string | number>;

/** One problem in a configuration file. */
export interface ConfigIssue {
  path: ConfigPath;
  message: string;
  /** 1-based line and column in the file, when the problem has a place in it. */
  line?: number;
  column?: number;
}

/** `adapters[0].type`, `plugins.deploy.environments[2]`; `(top level)` for the empty path. */
export function formatPath(path: ConfigPath): string {
  let text = "";
  for (const part of path) {
    if (typeof part === "number") text += `[${part}]`;
    else text += text ? `.${part}` : part;
  }
  return text || "(top level)";
}

/** `file:line:column: path: message`. */
export function formatIssue(issue: ConfigIssue, file: string): string {
  const where =
    issue.line !== undefined ? `${file}:${issue.line}${issue.column !== undefined ? `:${issue.column}` : ""}` : file;
  return issue.path.length ? `${where}: ${formatPath(issue.path)}: ${issue.message}` : `${where}: ${issue.message}`;
}

/** Thrown when a configuration cannot be used; {@link ConfigError.issues} lists every problem found. */
export class ConfigError extends Error {
  override readonly name = "ConfigError";
  constructor(
    /** The file, or `(built-in default)`. */
    readonly file: string,
    readonly issues: ConfigIssue[],
  ) {
    super(
      `${issues.length === 1 ? "a problem" : `${issues.length} problems`} in ${file}:\n${issues.map((i) => `  ${formatIssue(i, file)}`).join("\n")}`,
    );
  }
}
