/**
 * The local runner: `puppet apply` on this machine against an environment's code directory. Each host is its own
 * confdir, vardir and certname under `hostsDir`, so one machine can play several hosts (tests, demos), and a
 * single machine can be managed from chat. Every path puppet would otherwise share (/var/cache/puppet/public,
 * /run/puppet, /var/log/puppet, the ssldir) is moved under the host's folders.
 * @module
 */
import { existsSync } from "node:fs";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { baseEnvironment, runProcess } from "@switchboard/core";
import type { LocalRunnerConfig } from "../config.js";
import type { Host } from "../inventory.js";
import { errorsFromLog, isFacterNoiseLine, parseJsonLog, parseReport, parseSummary } from "../parse-report.js";
import type { HostRun, LastRun } from "../run-result.js";
import { interpretRun } from "./interpret.js";
import { failedRun, type PuppetRunner, type RunRequest } from "./runner.js";

/** A host's folders. */
export function hostDirs(hostsDir: string, host: string): { conf: string; vardir: string } {
  const base = join(resolve(hostsDir), host);
  return { conf: join(base, "conf"), vardir: join(base, "var") };
}

/** Runs `puppet apply` per host. */
export class LocalRunner implements PuppetRunner {
  readonly type = "local";
  readonly #config: LocalRunnerConfig;
  readonly #environmentPath: string;

  constructor(config: LocalRunnerConfig, environmentPath: string) {
    this.#config = config;
    this.#environmentPath = resolve(environmentPath);
  }

  describe(host: Host): string {
    return `local (${hostDirs(this.#config.hostsDir, host.name).vardir})`;
  }

  /** The argv of one run; `logFile` is the JSON log destination. */
  argv(request: RunRequest, logFile: string): string[] {
    const { conf, vardir } = hostDirs(this.#config.hostsDir, request.host.name);
    return [
      ...this.#config.puppet,
      "apply",
      request.mode === "noop" ? "--noop" : "--no-noop",
      "--color=false",
      "--detailed-exitcodes",
      "--show_diff",
      `--confdir=${conf}`,
      `--vardir=${vardir}`,
      `--publicdir=${join(vardir, "public")}`,
      `--rundir=${join(vardir, "run")}`,
      `--logdir=${join(vardir, "log")}`,
      `--ssldir=${join(conf, "ssl")}`,
      `--certname=${request.host.name}`,
      `--environmentpath=${this.#environmentPath}`,
      `--environment=${request.env}`,
      `--logdest=${logFile}`,
      join(this.#environmentPath, request.env, "manifests"),
    ];
  }

  async run(request: RunRequest): Promise<HostRun> {
    const started = Date.now();
    const manifests = join(this.#environmentPath, request.env, "manifests");
    if (!existsSync(manifests))
      return failedRun(request, started, `environment ${request.env} has no manifests folder (${manifests})`);
    const temp = await mkdtemp(join(tmpdir(), "switchboard-puppet-"));
    try {
      const logFile = join(temp, "log.json");
      const output: string[] = [];
      const result = await runProcess({
        argv: this.argv(request, logFile),
        env: baseEnvironment(),
        timeoutMs: request.timeoutMs,
        signal: request.signal,
        keepBytes: 16 * 1024,
        onLine: (line) => {
          if (line.trim() && !isFacterNoiseLine(line) && output.length < 50) output.push(line);
        },
      });
      const { vardir } = hostDirs(this.#config.hostsDir, request.host.name);
      const reportText = await readFile(join(vardir, "state", "last_run_report.yaml"), "utf8").catch(() => "");
      let report = reportText ? safeParse(reportText) : undefined;
      // An older run's report (this run stopped before writing one) is not evidence about this run.
      if (report && (report.time === undefined || report.time < Math.floor(started / 1000) - 1)) report = undefined;
      const logText = await readFile(logFile, "utf8").catch(() => "");
      const errors = errorsFromLog(parseJsonLog(logText));
      const fromOutput = output.filter((l) => /^Error: /.test(l)).map((l) => ({ message: l.replace(/^Error: /, "") }));
      return interpretRun(request, started, result, { report, errors: errors.length ? errors : fromOutput });
    } finally {
      await rm(temp, { recursive: true, force: true });
    }
  }

  async lastRun(host: Host): Promise<LastRun | undefined> {
    const { vardir } = hostDirs(this.#config.hostsDir, host.name);
    const text = await readFile(join(vardir, "public", "last_run_summary.yaml"), "utf8").catch(() => "");
    return text ? parseSummary(text, host.name) : undefined;
  }
}

function safeParse(text: string) {
  try {
    return parseReport(text);
  } catch {
    return undefined;
  }
}
