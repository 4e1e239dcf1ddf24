import { createApp } from "../app.js";
import { loadConfigFromItsFolder } from "../config/config-folder.js";
import { warnStartProblems } from "../config/start-warnings.js";
import { runApp } from "../lifecycle.js";

/** Options of `switchboard shell`. */
export interface ShellCommandOptions {
  config?: string;
  user?: string;
}

/**
 * `switchboard shell`: the bot on a shell adapter only (whatever other adapters the configuration lists), until the
 * input ends; then running jobs finish, the database is closed, and the exit code is 0.
 */
export async function shellCommand(options: ShellCommandOptions): Promise<number> {
  const loaded = loadConfigFromItsFolder(options.config);
  warnStartProblems(loaded);
  const app = await createApp(loaded, { adapters: "shell", ...(options.user ? { shellUser: options.user } : {}) });
  return runApp(app);
}
