import { networkName } from "../adapter-types.js";
import { createApp } from "../app.js";
import { loadConfig } from "../config/load.js";
import { runApp } from "../lifecycle.js";

/** Options of `switchboard start`. */
export interface StartCommandOptions {
  config?: string;
}

/**
 * `switchboard start`: every adapter in the configuration, until SIGINT/SIGTERM (graceful stop, exit 0). When the
 * shell is the only adapter, the end of its input also stops the bot.
 */
export async function startCommand(options: StartCommandOptions): Promise<number> {
  const loaded = loadConfig(options.config);
  const app = await createApp(loaded, { adapters: "config" });
  if (!app.shell) {
    const networks = app.config.adapters.map(networkName).join(", ");
    process.stderr.write(`switchboard: connecting to ${networks}; log in ${app.logFile}; stop with Ctrl-C\n`);
  }
  return runApp(app, { stopWhenShellEnds: app.adapters.length === 1 });
}
