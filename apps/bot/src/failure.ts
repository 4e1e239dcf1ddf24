/**
 * What the CLI prints when a command fails: expected failures in one line or a list, anything else with a pointer.
 * @module
 */
import { CliError } from "./cli-error.js";
import { ConfigError } from "./config/errors.js";

/** The text for stderr and the exit code. */
export function describeFailure(error: unknown): { text: string; exitCode: number } {
  if (error instanceof ConfigError) return { text: `switchboard: ${error.message}`, exitCode: 1 };
  if (error instanceof CliError) return { text: `switchboard: ${error.message}`, exitCode: error.exitCode };
  const message = error instanceof Error ? error.message : String(error);
  return { text: `switchboard: ${message}`, exitCode: 1 };
}
