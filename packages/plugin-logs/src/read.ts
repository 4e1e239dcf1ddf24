/**
 * Reads one source (a log file or a journal unit) on one host — on this machine, or over ssh with core's runner —
 * and keeps the newest lines that pass `--since` and `--grep`, redacted. The command is a fixed argv built from the
 * configuration (`tail -n <scanLines> -- <path>`, `journalctl -u <unit> …`); nothing from chat is in it but the
 * `--since` time, as a number. Filtering happens here, line by line as it arrives, in time linear in the output.
 * @module
 */
import {
  baseEnvironment,
  formatDuration,
  type ProcessResult,
  runOverSsh,
  runProcess,
  sshProblem,
} from "@switchboard/core";
import type { LogsConfig, SourceConfig } from "./config.js";
import type { Host } from "./inventory.js";
import { KEY_LINE, type Redactor } from "./redact.js";
import { lineTime, type TimestampFormat } from "./timestamps.js";

/** What to read and how to filter it. Every value was validated before it got here. */
export interface ReadRequest {
  /** The host (undefined: this machine, for a service without hosts). */
  host?: Host;
  source: SourceConfig;
  /** Keep lines at or after this time (ms since the epoch). */
  since?: number;
  /** Keep lines containing this text (case-insensitive, a fixed string). */
  grep?: string;
  /** How many of the newest kept lines to return. */
  lines: number;
  signal: AbortSignal;
}

/** The newest matching lines of one source on one host. */
export interface SourceResult {
  /** The host's name, or `local`. */
  host: string;
  /** The file's path or `journal <unit>`. */
  source: string;
  /** The kept lines, oldest first (redacted, cut to `lineLength`). */
  lines: string[];
  /** How many lines matched in all (more than `lines.length` when older ones were dropped). */
  matched: number;
  /** Whether the scan window (`scanLines`) was full, so older lines were not searched. */
  windowFull: boolean;
  /** Why it could not be read, when it could not. */
  error?: string;
}

/** A configured path on a host: `{host}` replaced by the host's name (a validated host name, never `..`). */
function onHost(path: string, host: Host | undefined): string {
  return host ? path.replaceAll("{host}", host.name) : path;
}

/** A file source's path on a host. */
export function sourcePath(source: SourceConfig, host: Host | undefined): string | undefined {
  return "path" in source ? onHost(source.path, host) : undefined;
}

/** How a source is named in output: the file's path, or `journal <unit>` (`in <directory>`). */
export function sourceLabel(source: SourceConfig, host: Host | undefined): string {
  if ("path" in source) return onHost(source.path, host);
  return `journal ${source.unit}${source.directory ? ` in ${onHost(source.directory, host)}` : ""}`;
}

/** The argv that prints a source's newest lines (the same on this machine and on a host over ssh). */
export function sourceArgv(config: LogsConfig, source: SourceConfig, host: Host | undefined, since?: number): string[] {
  const scan = String(config.scanLines);
  if ("unit" in source) {
    const sinceArgs = since === undefined ? [] : ["--since", `@${Math.floor(since / 1000)}`];
    const directory = source.directory ? ["-D", onHost(source.directory, host)] : [];
    return [
      ...config.commandPrefix,
      "journalctl",
      ...directory,
      "--no-pager",
      "--quiet",
      "--output=short-iso",
      "-n",
      scan,
      ...sinceArgs,
      "-u",
      source.unit,
    ];
  }
  return [...config.commandPrefix, "tail", "-n", scan, "--", sourcePath(source, host)!];
}

/** The timestamp format of a source (journal lines start with an ISO time). */
export function formatOf(source: SourceConfig): TimestampFormat {
  return "unit" in source ? "iso8601" : source.timestamps;
}

// biome-ignore lint/suspicious/noControlCharactersInRegex: terminal escape sequences are what it removes
const ESCAPES = /\u001b(?:\[[0-9;?]{0,32}[ -/]{0,4}[@-~]|\][^\u0007\u001b]{0,256}(?:\u0007|\u001b\\)?|[@-_])/g;
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what it removes
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g;
/** Longest line redaction looks at (longer lines are cut first). */
const HARD_CAP = 8192;

/** Reads one source on one host; never rejects for a failed read (that is a result with `error`). */
export async function readSource(config: LogsConfig, redactor: Redactor, request: ReadRequest): Promise<SourceResult> {
  const { host, source } = request;
  const format = formatOf(source);
  const grep = request.grep?.toLowerCase();
  // The newest lines that passed; `raw` ones are redacted at the end (only the lines kept are ever redacted).
  const kept: Array<{ text: string; raw: boolean }> = [];
  const stderr: string[] = [];
  const streamRedactor = redactor.fork();
  let matched = 0;
  let scanned = 0;
  let lastTime: number | undefined;
  let printed = 0;
  const tooMuch = new AbortController();
  // Everything the host prints counts, lines or not (core drops the rest of an overlong line, not its cost).
  const onData = (characters: number) => {
    printed += characters;
    if (printed > config.maxOutput) tooMuch.abort();
  };
  const onLine = (rawLine: string, stream: "stdout" | "stderr") => {
    if (tooMuch.signal.aborted) return;
    const clean = rawLine.replace(ESCAPES, "").replace(CONTROL, "").replaceAll("\t", "  ").slice(0, HARD_CAP);
    if (stream === "stderr") {
      if (clean.trim()) stderr.push(redactor.line(clean));
      if (stderr.length > 5) stderr.shift();
      return;
    }
    scanned++;
    const inKey = streamRedactor.inKeyBlock(clean);
    const time = lineTime(clean, format);
    if (time !== undefined) lastTime = time;
    // A line without a time (a stack trace's continuation) belongs to the last line that had one.
    if (request.since !== undefined && (lastTime === undefined || lastTime < request.since)) return;
    let entry: { text: string; raw: boolean };
    if (grep === undefined) entry = { text: inKey ? KEY_LINE : clean, raw: !inKey };
    else {
      // --grep must find the text in the line as read and again after redaction: a secret never matches.
      if (!clean.toLowerCase().includes(grep)) return;
      const text = inKey ? KEY_LINE : streamRedactor.rules(clean);
      if (!text.toLowerCase().includes(grep)) return;
      entry = { text, raw: false };
    }
    matched++;
    kept.push(entry);
    if (kept.length > request.lines) kept.shift();
  };
  const argv = sourceArgv(config, source, host, request.since);
  const signal = AbortSignal.any([request.signal, tooMuch.signal]);
  const spec = { timeoutMs: config.timeout, signal, keepBytes: 16 * 1024, onLine, onData };
  const result: SourceResult = {
    host: host?.name ?? "local",
    source: sourceLabel(source, host),
    lines: [],
    matched: 0,
    windowFull: false,
  };
  let run: ProcessResult;
  try {
    if (host && config.runner.type === "ssh") {
      const ssh = config.runner;
      const target = {
        user: host.config.user ?? ssh.user,
        address: host.config.address ?? host.name,
        port: host.config.port ?? ssh.port,
      };
      run = await runOverSsh(ssh, target, argv, spec);
    } else run = await runProcess({ ...spec, argv, env: baseEnvironment() });
  } catch (error) {
    return { ...result, error: redactor.line((error as Error).message) };
  }
  // A read that did not finish shows why, and none of its lines (they would be some other window of the source).
  if (run.stopped === "timeout") return { ...result, error: `stopped after ${formatDuration(config.timeout)}` };
  if (tooMuch.signal.aborted) return { ...result, error: `stopped after ${config.maxOutput} characters of output` };
  if (run.stopped === "aborted") return { ...result, error: "cancelled" };
  if (run.code === 255 && host && config.runner.type === "ssh") return { ...result, error: sshProblem(stderr) };
  if (run.code !== 0) return { ...result, error: stderr.join(" ") || `exit code ${run.code ?? run.signal}` };
  const lines = kept.map(({ text, raw }) => {
    const line = raw ? streamRedactor.rules(text) : text;
    return line.length > config.lineLength ? `${line.slice(0, config.lineLength)}…` : line;
  });
  return { ...result, lines, matched, windowFull: scanned >= config.scanLines };
}
