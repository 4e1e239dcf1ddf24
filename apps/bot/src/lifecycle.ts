/**
 * Running an app until it is done: the shell's input ends, or SIGINT/SIGTERM arrives; then a graceful stop.
 * @module
 */
import type { App } from "./app.js";

/** Options for {@link runApp}. */
export interface RunOptions {
  /** Stop when the shell adapter's input ends (after running jobs finish). Default true. */
  stopWhenShellEnds?: boolean;
}

/**
 * Starts the app and resolves with the exit code once it has stopped: 0 after the shell's input ended (running
 * jobs are awaited first) or after SIGINT/SIGTERM (running jobs get a grace period, then are cancelled). A second
 * signal exits at once with code 130. SIGHUP reopens the log file (after logrotate moved it).
 */
export async function runApp(app: App, options: RunOptions = {}): Promise<number> {
  let finish!: (code: number) => void;
  const done = new Promise<number>((resolve) => {
    finish = resolve;
  });
  let stopping = false;
  const stop = (reason: Record<string, unknown>, waitForJobs: boolean) => {
    if (stopping) return;
    stopping = true;
    app.logger.info(reason, "stopping");
    (async () => {
      if (waitForJobs) await app.bot.idle();
      await app.close();
    })().then(
      () => finish(0),
      (error: unknown) => {
        app.logger.error({ err: error }, "could not stop cleanly");
        process.stderr.write(
          `switchboard: could not stop cleanly: ${error instanceof Error ? error.message : String(error)}\n`,
        );
        finish(1);
      },
    );
  };
  const onSignal = (signal: NodeJS.Signals) => {
    if (stopping) {
      process.stderr.write(`switchboard: ${signal} again, exiting without waiting\n`);
      process.exit(130);
    }
    stop({ signal }, false);
  };
  const onCrash = (error: unknown) => {
    app.logger.error({ err: error }, "crashed");
    const where = app.logFile ? ` (details in ${app.logFile})` : "";
    process.stderr.write(`switchboard: crashed: ${error instanceof Error ? error.message : String(error)}${where}\n`);
    process.exit(1);
  };
  const onHangup = () => app.reopenLog();
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  process.on("SIGHUP", onHangup);
  process.on("uncaughtException", onCrash);
  process.on("unhandledRejection", onCrash);
  try {
    await app.start();
  } catch (error) {
    await app.close().catch(() => {});
    throw error;
  }
  if (app.shell && (options.stopWhenShellEnds ?? true))
    void app.shell.ended.then(() => stop({ reason: "end of input" }, true));
  try {
    return await done;
  } finally {
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
    process.off("SIGHUP", onHangup);
    process.off("uncaughtException", onCrash);
    process.off("unhandledRejection", onCrash);
  }
}
