/**
 * A real Prometheus (Debian's `prometheus`) for tests, from a temporary folder on a free loopback port: scrape jobs,
 * alerting rules and Alertmanagers given as objects (written as JSON, which is valid YAML), everything every second.
 * A missing binary fails the test with the command that provisions it (`sh scripts/test-servers.sh`).
 * @module
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { tempDir } from "./files.js";
import { type HttpServerProcess, startHttpServerProcess } from "./http-process.js";
import { freePort, requireBinary } from "./wait.js";

/** What the test Prometheus does. Scrapes and rule evaluations run every second. */
export interface PrometheusOptions {
  /** Scrape jobs: job name → targets (`127.0.0.1:PORT`, scraped at `/metrics`). */
  scrape?: Record<string, string[]>;
  /** Alerting/recording rules in Prometheus's rule file format (`{ groups: [...] }`). */
  rules?: { groups: unknown[] };
  /** Alertmanagers (`127.0.0.1:PORT`) that firing alerts are sent to (resent every second). */
  alertmanagers?: string[];
}

/** One series of an instant query's answer. */
export interface PrometheusSample {
  metric: Record<string, string>;
  value: [number, string];
}

/** A running Prometheus. */
export interface Prometheus extends HttpServerProcess {
  /** Runs an instant query (`/api/v1/query`); the result vector. Throws on a query error. */
  query(promql: string): Promise<PrometheusSample[]>;
}

/** Starts Prometheus. Note that it batches target discovery: the first sample of a target appears after ~6 s. */
export async function startPrometheus(options: PrometheusOptions = {}): Promise<Prometheus> {
  const binary = requireBinary("prometheus");
  const folder = tempDir("switchboard-prometheus-");
  const port = await freePort();
  const config: Record<string, unknown> = {
    global: { scrape_interval: "1s", evaluation_interval: "1s" },
    scrape_configs: Object.entries(options.scrape ?? {}).map(([job, targets]) => ({
      job_name: job,
      static_configs: [{ targets }],
    })),
  };
  if (options.rules) {
    writeFileSync(join(folder.dir, "rules.yml"), JSON.stringify(options.rules));
    config.rule_files = [join(folder.dir, "rules.yml")];
  }
  if (options.alertmanagers)
    config.alerting = { alertmanagers: [{ static_configs: [{ targets: options.alertmanagers }] }] };
  writeFileSync(join(folder.dir, "prometheus.yml"), JSON.stringify(config));
  const server = await startHttpServerProcess(
    "prometheus",
    binary,
    [
      `--config.file=${join(folder.dir, "prometheus.yml")}`,
      `--storage.tsdb.path=${join(folder.dir, "data")}`,
      `--web.listen-address=127.0.0.1:${port}`,
      "--rules.alert.resend-delay=1s",
    ],
    folder,
    port,
  );
  return {
    ...server,
    async query(promql) {
      const response = await fetch(`${server.url}/api/v1/query?query=${encodeURIComponent(promql)}`);
      const body = (await response.json()) as { status: string; data?: { result?: PrometheusSample[] } };
      if (body.status !== "success") throw new Error(`query ${promql} failed: ${JSON.stringify(body)}`);
      return body.data?.result ?? [];
    },
  };
}
