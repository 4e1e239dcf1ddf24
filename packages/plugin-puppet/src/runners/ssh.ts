/**
 * The ssh runner: `puppet agent --test [--noop] --environment=X` on each host over OpenSSH, then the agent's last
 * run report read back with `cat`. Key authentication only (BatchMode, IdentitiesOnly), and host keys checked
 * against the configured known_hosts file alone: an unknown or changed key is refused, never learned.
 *
 * ssh joins the remote argv into one line for the remote shell, so every remote word is either fixed by the
 * configuration (checked to hold no shell characters) or a value validated to `[A-Za-z0-9_=.-]`.
 * @module
 */
import { baseEnvironment, runProcess } from "@switchboard/core";
import type { SshRunnerConfig } from "../config.js";
import type { Host } from "../inventory.js";
import { isFacterNoiseLine, type ParsedReport, parseReport, parseSummary } from "../parse-report.js";
import type { HostRun, LastRun } from "../run-result.js";
import { interpretRun } from "./interpret.js";
import { failedRun, type PuppetRunner, type RunRequest } from "./runner.js";

const SAFE_REMOTE_WORD = /^[A-Za-z0-9_@%+=:,./-]+$/;

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

  /** The ssh argv for a remote command (fixed words; refuses anything that could be read by the remote shell). */
  argv(host: Host, remote: string[]): string[] {
    for (const word of remote)
      if (!SAFE_REMOTE_WORD.test(word)) throw new Error(`refusing to send "${word}" to a remote shell`);
    const { user, address, port } = this.#target(host);
    const c = this.#config;
    return [
      c.ssh,
      "-F",
      c.sshConfig,
      "-T",
      "-o",
      "BatchMode=yes",
      "-o",
      "StrictHostKeyChecking=yes",
      "-o",
      `UserKnownHostsFile=${c.knownHostsFile}`,
      "-o",
      "GlobalKnownHostsFile=/dev/null",
      "-o",
      "UpdateHostKeys=no",
      "-o",
      "IdentitiesOnly=yes",
      "-o",
      "PasswordAuthentication=no",
      "-o",
      "KbdInteractiveAuthentication=no",
      "-o",
      `ConnectTimeout=${Math.max(1, Math.round(c.connectTimeout / 1000))}`,
      "-i",
      c.identityFile,
      "-p",
      String(port),
      `${user}@${address}`,
      "--",
      ...remote,
    ];
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
    const result = await runProcess({
      argv: this.argv(request.host, this.agentCommand(request)),
      env: baseEnvironment(),
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
    const result = await runProcess({
      argv: this.argv(host, ["cat", path]),
      env: baseEnvironment(),
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

/** Why ssh could not run the command, in words (the host key refusal named as such). */
export function sshProblem(lines: string[]): string {
  const text = lines.join("\n");
  if (/REMOTE HOST IDENTIFICATION HAS CHANGED/.test(text))
    return "ssh refused: the host key does not match the known_hosts file (Host key verification failed)";
  if (/Host key verification failed|No .* host key is known/.test(text))
    return "ssh refused: the host key is not in the known_hosts file (Host key verification failed)";
  const last = lines.filter((l) => !/^@+$|^@ /.test(l) && l.trim()).pop();
  return `ssh failed: ${last ?? "exit code 255"}`;
}
