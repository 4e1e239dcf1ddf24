/**
 * Puppet's machine-readable output: the last run report (YAML, `lastrunreport`), the last run summary (YAML,
 * `lastrunfile`) and the JSON log destination (`--logdest x.json`). Results are read from these, never from exit
 * codes alone: under `--noop`, pending changes still exit 0. Facter's noise is dropped.
 * @module
 */
import { parseDocument } from "yaml";
import type { Change, Failure, LastRun } from "./run-result.js";

/** One log entry (report `logs`, or a JSON log line). */
export interface LogEntry {
  level: string;
  message: string;
  source: string;
}

/** The parts of a report the plugin uses. */
export interface ParsedReport {
  host?: string;
  /** Epoch seconds. */
  time?: number;
  configurationVersion?: string;
  environment?: string;
  noop: boolean;
  status?: string;
  transactionCompleted: boolean;
  jobId?: string;
  changes: Change[];
  failures: Failure[];
  skipped: string[];
  totalSeconds?: number;
}

type Obj = Record<string, unknown>;
const isObj = (value: unknown): value is Obj => typeof value === "object" && value !== null && !Array.isArray(value);
const str = (value: unknown): string | undefined =>
  value === null || value === undefined ? undefined : typeof value === "string" ? value : String(value);

/** Facter's complaints about a sandbox (`/proc/1/environ`) and the like: not about the catalog. */
export function isFacterNoise(entry: Pick<LogEntry, "source" | "message">): boolean {
  return entry.source === "Facter" || /^Facter: /.test(entry.message);
}

/** A text line of puppet's console output that is Facter noise. */
export function isFacterNoiseLine(line: string): boolean {
  return /^(Error|Warning|Info|Debug): Facter: /.test(line) || /^\[[^\]]*\] Facter/.test(line);
}

/** Parses YAML from puppet (Ruby object tags such as `!ruby/object:Puppet::Transaction::Report` are ignored). */
export function parsePuppetYaml(text: string): unknown {
  const doc = parseDocument(text, { logLevel: "silent", uniqueKeys: false });
  if (doc.errors.length > 0) throw new Error(`not valid YAML: ${doc.errors[0]!.message.split("\n")[0]}`);
  return doc.toJS({ maxAliasCount: 1000 });
}

/** A report value for chat: strings as they are, anything else as compact JSON, capped. */
function showValue(value: unknown): string {
  const text =
    value === null || value === undefined ? "absent" : typeof value === "string" ? value : JSON.stringify(value);
  return text.length > 80 ? `${text.slice(0, 77)}…` : text;
}

const epoch = (value: unknown): number | undefined => {
  const t = typeof value === "string" ? Date.parse(value) : Number.NaN;
  return Number.isNaN(t) ? undefined : Math.floor(t / 1000);
};

/** The file diffs logged with `--show_diff`, by resource (`File[motd]` → hunks without the ---/+++ headers). */
function diffsFromLogs(logs: LogEntry[], resources: string[]): Map<string, string> {
  const diffs = new Map<string, string>();
  for (const log of logs) {
    if (!log.source.endsWith("/content") || !/^\s*---/.test(log.message)) continue;
    const resource = resources.find((r) => log.source.endsWith(`/${r}/content`) || log.source === `${r}/content`);
    if (!resource) continue;
    const hunks = log.message
      .replace(/^\n+/, "")
      .split("\n")
      .filter((line) => !/^(---|\+\+\+) /.test(line))
      .join("\n")
      .replace(/\n+$/, "");
    diffs.set(resource, hunks);
  }
  return diffs;
}

function logsOf(report: Obj): LogEntry[] {
  const logs = Array.isArray(report.logs) ? report.logs : [];
  return logs
    .filter(isObj)
    .map((l) => ({ level: str(l.level) ?? "", message: str(l.message) ?? "", source: str(l.source) ?? "" }))
    .filter((l) => !isFacterNoise(l));
}

/** Reads a last run report. Throws when the text is not a report. */
export function parseReport(text: string): ParsedReport {
  const report = parsePuppetYaml(text);
  if (!isObj(report) || !isObj(report.resource_statuses ?? {})) throw new Error("not a puppet report");
  const statuses = Object.entries((report.resource_statuses ?? {}) as Obj).filter(([, s]) => isObj(s)) as Array<
    [string, Obj]
  >;
  const logs = logsOf(report);
  const diffs = diffsFromLogs(
    logs,
    statuses.map(([name]) => name),
  );
  const changes: Change[] = [];
  const failures: Failure[] = [];
  const skipped: string[] = [];
  for (const [name, status] of statuses) {
    const resource = str(status.resource) ?? name;
    const events = (Array.isArray(status.events) ? status.events : []).filter(isObj);
    for (const event of events) {
      const state = str(event.status);
      if (state === "failure") {
        failures.push({ resource, message: str(event.message) ?? "failed" });
        continue;
      }
      if (state !== "success" && state !== "noop") continue;
      const property = str(event.property) ?? "";
      if (!property) continue;
      const sensitive = event.redacted === true || event.previous_value === "[redacted]";
      const diff = property === "content" && !sensitive ? diffs.get(resource) : undefined;
      changes.push({
        resource,
        property,
        from: sensitive ? "[redacted]" : showValue(event.previous_value),
        to: sensitive ? "[redacted]" : showValue(event.desired_value),
        sensitive,
        ...(diff ? { diff } : {}),
      });
    }
    if (status.failed === true && !events.some((e) => e.status === "failure")) {
      const log = logs.find((l) => l.level === "err" && l.source.includes(resource));
      failures.push({ resource, message: log?.message ?? "failed" });
    }
    if (status.failed_to_restart === true) failures.push({ resource, message: "failed to restart" });
    if (status.skipped === true) skipped.push(resource);
  }
  const transactionCompleted = report.transaction_completed === true;
  if (str(report.status) === "failed" && failures.length === 0) {
    // A run-level failure (catalog could not be applied, a run interrupted): its error logs say why.
    for (const log of logs.filter((l) => l.level === "err")) failures.push({ message: log.message });
    if (failures.length === 0) failures.push({ message: "the run failed (no error was logged)" });
  }
  return {
    ...(str(report.host) ? { host: str(report.host)! } : {}),
    ...(epoch(report.time) !== undefined ? { time: epoch(report.time)! } : {}),
    ...(str(report.configuration_version) ? { configurationVersion: str(report.configuration_version)! } : {}),
    ...(str(report.environment) ? { environment: str(report.environment)! } : {}),
    noop: report.noop === true,
    ...(str(report.status) ? { status: str(report.status)! } : {}),
    transactionCompleted,
    ...(str(report.job_id) ? { jobId: str(report.job_id)! } : {}),
    changes,
    failures,
    skipped,
    ...(totalTime(report) !== undefined ? { totalSeconds: totalTime(report)! } : {}),
  };
}

function totalTime(report: Obj): number | undefined {
  const metrics = isObj(report.metrics) ? report.metrics : {};
  const time = isObj(metrics.time) ? metrics.time : {};
  const values = Array.isArray(time.values) ? time.values : [];
  const total = values.find((v) => Array.isArray(v) && v[0] === "total") as unknown[] | undefined;
  return typeof total?.[2] === "number" ? total[2] : undefined;
}

/** Reads a last run summary (`last_run_summary.yaml`). Throws when the text is not one. */
export function parseSummary(text: string, host: string): LastRun {
  const summary = parsePuppetYaml(text);
  if (!isObj(summary)) throw new Error("not a puppet run summary");
  const section = (key: string): Obj => (isObj(summary[key]) ? (summary[key] as Obj) : {});
  const num = (value: unknown) => (typeof value === "number" ? value : 0);
  const version = section("version");
  const application = section("application");
  const time = section("time");
  return {
    host,
    ...(typeof time.last_run === "number" ? { time: time.last_run } : {}),
    ...(str(application.converged_environment) ? { environment: str(application.converged_environment)! } : {}),
    ...(str(version.config) ? { configurationVersion: str(version.config)! } : {}),
    changed: num(section("resources").changed),
    failed: num(section("resources").failed) + num(section("resources").failed_to_restart),
    noop: num(section("events").noop),
    outOfSync: num(section("resources").out_of_sync),
    ...(typeof time.total === "number" ? { totalSeconds: time.total } : {}),
  };
}

/**
 * Reads puppet's JSON log destination. Puppet writes `[` then entries separated by `,` lines and may never write
 * the closing `]` (it did not here), so entries are read one by one; a torn last entry is skipped.
 */
export function parseJsonLog(text: string): LogEntry[] {
  const body = text.trim().replace(/^\[/, "").replace(/\]$/, "");
  const entries: LogEntry[] = [];
  for (const chunk of body.split(/\n,\n|\n,|,\n(?=\{)/)) {
    const trimmed = chunk.trim();
    if (!trimmed) continue;
    try {
      const entry = JSON.parse(trimmed) as Obj;
      const log = { level: str(entry.level) ?? "", message: str(entry.message) ?? "", source: str(entry.source) ?? "" };
      if (!isFacterNoise(log)) entries.push(log);
    } catch {
      // a partly written entry (the run was killed): nothing to read in it
    }
  }
  return entries;
}

/** The errors of a run that wrote no report (a catalog that did not compile), from its JSON log. */
export function errorsFromLog(entries: LogEntry[]): Failure[] {
  return entries
    .filter((e) => e.level === "err" || e.level === "alert" || e.level === "emerg" || e.level === "crit")
    .map((e) => ({ message: e.message }));
}
