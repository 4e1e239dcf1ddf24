/**
 * Real Prometheus and Alertmanager (Debian's `prometheus`, `prometheus-alertmanager`), each from a temporary folder on
 * free loopback ports, stopped by the test that started it. Configurations are written as JSON (valid YAML).
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort, requireBinary, until } from "@switchboard/test-servers";

/** A running server. */
export interface RunningServer {
  url: string;
  port: number;
  dir: string;
  /** The server's log so far (for failure messages). */
  log(): string;
  stop(): Promise<void>;
}

async function run(
  binary: string,
  name: string,
  args: (port: number, dir: string) => string[],
): Promise<RunningServer> {
  const path = requireBinary(binary);
  const dir = mkdtempSync(join(tmpdir(), `sb-${name}-`));
  const port = await freePort();
  const logFile = join(dir, `${name}.log`);
  const child: ChildProcess = spawn(path, args(port, dir), {
    cwd: dir,
    stdio: ["ignore", openSync(logFile, "a"), openSync(logFile, "a")],
  });
  const url = `http://127.0.0.1:${port}`;
  const log = () => readFileSync(logFile, "utf8");
  let exited = false;
  child.once("exit", () => {
    exited = true;
  });
  const stop = async () => {
    if (!exited) {
      child.kill("SIGTERM");
      await until(() => exited, `${name} to stop`, 10_000).catch(() => child.kill("SIGKILL"));
    }
    rmSync(dir, { recursive: true, force: true });
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
  return { url, port, dir, log, stop };
}

/** Starts Prometheus with `config` (an object, written as JSON) and, optionally, rule files. */
export function startPrometheus(config: (dir: string) => Record<string, unknown>): Promise<RunningServer> {
  return run("prometheus", "prometheus", (port, dir) => {
    writeFileSync(join(dir, "prometheus.yml"), JSON.stringify(config(dir)));
    return [
      `--config.file=${join(dir, "prometheus.yml")}`,
      `--storage.tsdb.path=${join(dir, "data")}`,
      `--web.listen-address=127.0.0.1:${port}`,
      "--rules.alert.resend-delay=1s",
    ];
  });
}

/** Starts Alertmanager with `config` (an object, written as JSON), gossip clustering off. */
export function startAlertmanager(config: Record<string, unknown>): Promise<RunningServer> {
  return run("prometheus-alertmanager", "alertmanager", (port, dir) => {
    writeFileSync(join(dir, "alertmanager.yml"), JSON.stringify(config));
    return [
      `--config.file=${join(dir, "alertmanager.yml")}`,
      `--storage.path=${join(dir, "data")}`,
      `--web.listen-address=127.0.0.1:${port}`,
      "--cluster.listen-address=",
    ];
  });
}

/** Runs an instant query; the result vector. */
export async function query(
  prometheus: RunningServer,
  promql: string,
): Promise<Array<{ metric: Record<string, string>; value: [number, string] }>> {
  const response = await fetch(`${prometheus.url}/api/v1/query?query=${encodeURIComponent(promql)}`);
  const body = (await response.json()) as {
    status: string;
    data: { result: Array<{ metric: Record<string, string>; value: [number, string] }> };
  };
  if (body.status !== "success") throw new Error(`query failed: ${JSON.stringify(body)}`);
  return body.data.result;
}
