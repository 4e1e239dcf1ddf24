/**
 * What `config check` would reject, said once on standard error when `shell` or `start` begins (as warnings: the bot
 * still starts), so a demo run before its setup says which setup command to run instead of failing later with a git
 * error in chat.
 * @module
 */
import { formatIssue } from "./errors.js";
import type { LoadedConfig } from "./load.js";
import { startChecks } from "./start-checks.js";

/** Prints `switchboard: warning: file:line: key: problem` for each start-time problem of the loaded file. */
export function warnStartProblems(loaded: LoadedConfig, out: NodeJS.WritableStream = process.stderr): void {
  for (const issue of startChecks(loaded.raw ?? {})) {
    const position = loaded.locate(issue.path);
    const placed = position ? { ...issue, line: position.line, column: position.column } : issue;
    out.write(`switchboard: warning: ${formatIssue(placed, loaded.source)}\n`);
  }
}
