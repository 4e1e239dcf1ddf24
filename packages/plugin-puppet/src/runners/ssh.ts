/**
 * The ssh runner: `puppet agent --test [--noop] --environment=X` on each host over OpenSSH, then the agent's last
 * run report read back with `cat`. Key authentication only (BatchMode, IdentitiesOnly), and host keys checked
 * against the configured known_hosts file alone: an unknown or changed key is refused, never learned.
 *
 * The ssh argv and the process come from core (`runOverSsh`, shared with every plugin that reaches hosts
 * over ssh). ssh joins the remote argv into one line for the remote shell, so every remote word is either fixed by
 * the configuration (checked to hold no shell characters) or a value validated to `[A-Za-z0-9_=.-]`.
 * @module
 */
import { runOverSsh, sshProblem } from "@switchboard/core";
import type { SshRunnerConfig } from "../config.js";
import type { Host } from "../inventory.js";
import { isFacterNoiseLine, type ParsedReport, parseReport, parseSummary } from "../parse-report.js";
import type { HostRun, LastRun } from "../run-result.js";
import { interpretRun } from "./interpret.js";
import { failedRun, type PuppetRunner, type RunRequest } from "./runner.js";

/** Runs puppet agent over ssh. */
export class SshRunner implements PuppetRunner {
  readonly type = "ssh";
  readonly #config: SshRunnerConfig;

  constructor(config: SshRunnerConfig) {
    this.#config = config;
  }

  describe(host: Host): string {
    const { user, address, port } = this.#target(host);
    return `ssh ${user}@${address}:${port}`;
  }

  #target(host: Host) {
    return {
      user: host.config.user ?? this.#config.user,
      address: (host.config.address ?? host.name).replace(/^\[|\]$/g, ""),
      port: host.config.port ?? this.#config.port,
    };
  }

  /** The remote command of a run. */
  agentCommand(request: RunRequest): string[] {
    return [
      ...this.#config.puppet,
      "agent",
      "--test",
      request.mode === "noop" ? "--noop" : "--no-noop",
      `--environment=${request.env}`,
      "--color=false",
      `--job-id=${request.jobId}`,
    ];
  }

  async run(request: RunRequest): Promise<HostRun> {
    const started = Date.now();
    const output: string[] = [];
    const result = await runOverSsh(this.#config, this.#target(request.host), this.agentCommand(request), {
      timeoutMs: request.timeoutMs,
      signal: request.signal,
      keepBytes: 64 * 1024,
      onLine: (line) => {
        if (line.trim() && !isFacterNoiseLine(line)) output.push(line);
        if (output.length > 400) output.shift();
      },
    });
    if (result.code === 255 && !result.stopped) return failedRun(request, started, sshProblem(output));
    let report: ParsedReport | undefined;
    if (!result.stopped) {
      const read = await this.#cat(request.host, this.#config.reportPath, request.signal, request.timeoutMs);
      if (read.ok) {
        try {
          report = parseReport(read.text);
        } catch {
          report = undefined;
        }
      }
      // Another run's report (a scheduled run finished in between, or this one wrote none) says nothing here:
      // the agent writes our job id into its report; without one, only a report younger than the run counts.
      if (report && (report.jobId !== undefined ? report.jobId !== request.jobId : !isFresh(report, started)))
        report = undefined;
    }
    const errors = output.filter((l) => /^Error: /.test(l)).map((l) => ({ message: l.replace(/^Error: /, "") }));
    return interpretRun(request, started, result, { report, errors });
  }

  async lastRun(host: Host, signal: AbortSignal): Promise<LastRun | undefined> {
    const read = await this.#cat(host, this.#config.summaryPath, signal, 60_000);
    if (!read.ok) {
      if (/No such file/.test(read.text)) return undefined;
      throw new Error(read.text);
    }
    return parseSummary(read.text, host.name);
  }

  async #cat(host: Host, path: string, signal: AbortSignal, timeoutMs: number): Promise<{ ok: boolean; text: string }> {
    const lines: string[] = [];
    const result = await runOverSsh(this.#config, this.#target(host), ["cat", path], {
      timeoutMs,
      signal,
      keepBytes: 64 * 1024 * 1024,
      onLine: (line, stream) => {
        if (stream === "stderr" && line.trim()) lines.push(line);
      },
    });
    if (result.code === 0) return { ok: true, text: result.stdout };
    return { ok: false, text: result.code === 255 ? sshProblem(lines) : lines.join(" ") || `cat ${path} failed` };
  }
}

function isFresh(report: ParsedReport, started: number): boolean {
  return report.time !== undefined && report.time >= Math.floor(started / 1000) - 1;
}
