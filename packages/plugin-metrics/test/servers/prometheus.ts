/**
 * A real Prometheus (Debian's binary on PATH) on a free loopback port, in a temporary folder, scraping the
 * given targets every second.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort, poll, requireBinary } from "./common.js";

/** A running Prometheus. */
export interface PrometheusServer {
  url: string;
  /** Waits until an instant query returns at least one series; resolves with the answer's result. */
  waitForSeries(query: string, timeoutMs?: number): Promise<unknown[]>;
  stop(): Promise<void>;
}

/** Starts Prometheus scraping `targets` (`127.0.0.1:PORT`) at 1 s. */
export async function startPrometheus(targets: string[]): Promise<PrometheusServer> {
  const binary = requireBinary("prometheus");
  const dir = mkdtempSync(join(tmpdir(), "metrics-prom-"));
  const port = await freePort();
  writeFileSync(
    join(dir, "prometheus.yml"),
    [
      "global: { scrape_interval: 1s, evaluation_interval: 1s }",
      "scrape_configs:",
      "  - job_name: exporter",
      `    static_configs: [{ targets: [${targets.map((t) => `'${t}'`).join(", ")}] }]`,
      "",
    ].join("\n"),
  );
  const child: ChildProcess = spawn(
    binary,
    [
      `--config.file=${join(dir, "prometheus.yml")}`,
      `--storage.tsdb.path=${join(dir, "data")}`,
      `--web.listen-address=127.0.0.1:${port}`,
      "--log.level=warn",
    ],
    { stdio: ["ignore", "ignore", "pipe"] },
  );
  let stderr = "";
  child.stderr?.on("data", (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4000);
  });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const url = `http://127.0.0.1:${port}`;
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), 5000);
      await exited;
      clearTimeout(timer);
    }
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await poll(
      "prometheus /-/ready",
      async () => {
        if (child.exitCode !== null) throw new Error(`prometheus exited: ${stderr}`);
        const response = await fetch(`${url}/-/ready`);
        return response.ok ? true : undefined;
      },
      20_000,
    );
  } catch (error) {
    await stop();
    throw error;
  }
  return {
    url,
    waitForSeries: (query, timeoutMs = 30_000) =>
      poll(
        `prometheus series for ${query}`,
        async () => {
          const response = await fetch(`${url}/api/v1/query?query=${encodeURIComponent(query)}`);
          const body = (await response.json()) as { data?: { result?: unknown[] } };
          const result = body.data?.result ?? [];
          return result.length > 0 ? result : undefined;
        },
        timeoutMs,
        250,
      ),
    stop,
  };
}
