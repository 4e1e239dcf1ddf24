import { networkName } from "../adapter-types.js";
import { createApp } from "../app.js";
import { loadConfigFromItsFolder } from "../config/config-folder.js";
import { warnStartProblems } from "../config/start-warnings.js";
import { runApp } from "../lifecycle.js";

/** Options of `switchboard start`. */
export interface StartCommandOptions {
  config?: string;
}

/**
 * `switchboard start`: every adapter in the configuration, until SIGINT/SIGTERM (graceful stop, exit 0). When the
 * shell is the only adapter, the end of its input also stops the bot. Prints once, on standard error, where the
 * data, the log and the audit key are (relative paths resolved against the configuration file's folder).
 */
export async function startCommand(options: StartCommandOptions): Promise<number> {
  const loaded = loadConfigFromItsFolder(options.config);
  warnStartProblems(loaded);
  const app = await createApp(loaded, { adapters: "config", echoProblems: true });
  process.stderr.write(
    `switchboard: config ${loaded.file ?? loaded.source}; data ${app.storePath}; log ${app.logWhere}; audit key ${app.auditFiles.keyFile}\n`,
  );
  if (!app.shell) {
    const networks = app.config.adapters.map(networkName).join(", ");
    process.stderr.write(`switchboard: connecting to ${networks}; stop with Ctrl-C\n`);
  }
  return runApp(app, { stopWhenShellEnds: app.adapters.length === 1 });
}
