/**
 * One server process with an HTTP readiness probe, for the launchers of Prometheus and Alertmanager: spawned from
 * its throwaway folder with its output in a log file there, ready when `/-/ready` answers 200, stopped (and the
 * folder removed) by `stop()`. A process that exits at start-up fails with its log.
 * @module
 */
import { type ChildProcess, spawn } from "node:child_process";
import { openSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { until } from "./wait.js";

/** What every HTTP server launcher returns. */
export interface HttpServerProcess {
  /** `http://127.0.0.1:PORT`. */
  url: string;
  port: number;
  /** The server's output so far (for failure messages). */
  log(): string;
  /** Stops the server (SIGTERM, SIGKILL after 10 s) and removes its folder. Idempotent. */
  stop(): Promise<void>;
}

const running = new Set<ChildProcess>();
process.once("exit", () => {
  for (const child of running) child.kill("SIGKILL");
});

/** Runs `binary args` in `folder` (a {@link tempDir}) and waits until `url/-/ready` is OK. */
export async function startHttpServerProcess(
  name: string,
  binary: string,
  args: string[],
  folder: { dir: string; remove(): void },
  port: number,
): Promise<HttpServerProcess> {
  const logFile = join(folder.dir, `${name}.log`);
  const child: ChildProcess = spawn(binary, args, {
    cwd: folder.dir,
    stdio: ["ignore", openSync(logFile, "a"), openSync(logFile, "a")],
  });
  running.add(child);
  let exited = false;
  child.once("exit", () => {
    exited = true;
    running.delete(child);
  });
  const url = `http://127.0.0.1:${port}`;
  const log = () => readFileSync(logFile, "utf8");
  const stop = async () => {
    if (!exited) {
      child.kill("SIGTERM");
      await until(() => exited, `${name} to stop`, 10_000).catch(() => child.kill("SIGKILL"));
    }
    folder.remove();
  };
  try {
    await until(
      async () => {
        if (exited) throw new Error(`${name} exited at start-up:\n${log()}`);
        return (await fetch(`${url}/-/ready`).catch(() => undefined))?.ok === true;
      },
      `${name} to be ready`,
      20_000,
    );
  } catch (error) {
    await stop();
    throw error;
  }
  return { url, port, log, stop };
}
