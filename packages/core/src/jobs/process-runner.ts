/**
 * Runs an executable with an argv array (never a shell), streams its output line by line, and stops it on
 * cancel or timeout: SIGTERM to its process group, then SIGKILL after a grace period.
 * @module
 */
import { spawn } from "node:child_process";
import { UserError } from "../runtime/errors.js";

/** What to run. */
export interface ProcessSpec {
  /** Executable and arguments; the executable is looked up on PATH when it has no slash. */
  argv: string[];
  cwd?: string;
  /** The complete environment of the process (default {@link baseEnvironment}: nothing secret is inherited). */
  env?: Record<string, string>;
  /** Stops the process after this long. */
  timeoutMs: number;
  /** Time between SIGTERM and SIGKILL (default 5 s). */
  killGraceMs?: number;
  /** Stops the process when aborted. */
  signal: AbortSignal;
  /**
   * Called with every line of stdout and stderr, in the order they arrive (`\r` ends a line too). A line longer than
   * MAX_LINE_CHARS arrives cut, with a note, and the rest of it is dropped.
   */
  onLine?: (line: string, stream: "stdout" | "stderr") => void;
  /**
   * Called with the size of every piece of output as it arrives (characters), dropped parts included: to bound what
   * a process may print in all (abort `signal` when it is too much), whatever its lines look like.
   */
  onData?: (characters: number, stream: "stdout" | "stderr") => void;
  /** How much of the output to keep, in bytes (default 64 KiB; the newest part is kept). */
  keepBytes?: number;
}

/** How a process ended. */
export interface ProcessResult {
  /** Exit code, or null when a signal ended it. */
  code: number | null;
  /** The signal that ended it, if any. */
  signal: NodeJS.Signals | null;
  /** Why it was stopped, when it was. */
  stopped?: "timeout" | "aborted";
  /** Everything it printed, stdout and stderr interleaved (the newest `keepBytes`). */
  output: string;
  /** What it printed on stdout alone (the newest `keepBytes`). */
  stdout: string;
}

const KEEP = 64 * 1024;

/**
 * The longest line core hands on (in UTF-16 code units). A longer one is cut there and ends with a note saying so;
 * the rest of it, up to the next line break, is dropped. `\r` counts as a line break, so a progress bar redrawn
 * with `\r` arrives as many short lines rather than one of megabytes.
 */
export const MAX_LINE_CHARS = 4096;

/** The variables a child gets from the bot's own environment (nothing else, so no token leaks into scripts). */
export function baseEnvironment(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const key of ["PATH", "HOME", "USER", "LOGNAME", "LANG", "LC_ALL", "TZ", "TMPDIR"]) {
    const value = process.env[key];
    if (value !== undefined) env[key] = value;
  }
  return env;
}

/** Runs a process to its end. Rejects only when it cannot be started (a UserError naming the executable). */
export function runProcess(spec: ProcessSpec): Promise<ProcessResult> {
  return new Promise((resolve, reject) => {
    const [file, ...args] = spec.argv;
    if (!file) {
      reject(new UserError("no executable configured"));
      return;
    }
    if (spec.signal.aborted) {
      resolve({ code: null, signal: null, stopped: "aborted", output: "", stdout: "" });
      return;
    }
    const child = spawn(file, args, {
      cwd: spec.cwd,
      env: spec.env ?? baseEnvironment(),
      shell: false,
      detached: true, // its own process group, so a stop reaches whatever it started too
      stdio: ["ignore", "pipe", "pipe"],
    });
    const keep = spec.keepBytes ?? KEEP;
    let output = "";
    let stdout = "";
    let stopped: ProcessResult["stopped"];
    let killTimer: NodeJS.Timeout | undefined;
    const kill = (sig: NodeJS.Signals) => {
      try {
        if (child.pid !== undefined) process.kill(-child.pid, sig);
      } catch {
        child.kill(sig);
      }
    };
    const stop = (why: NonNullable<ProcessResult["stopped"]>) => {
      if (stopped || child.exitCode !== null || child.signalCode !== null) return;
      stopped = why;
      kill("SIGTERM");
      killTimer = setTimeout(() => kill("SIGKILL"), spec.killGraceMs ?? 5000);
    };
    const timeout = setTimeout(() => stop("timeout"), spec.timeoutMs);
    const onAbort = () => stop("aborted");
    spec.signal.addEventListener("abort", onAbort, { once: true });

    const lines = (stream: NodeJS.ReadableStream, name: "stdout" | "stderr") => {
      let partial = "";
      /** The last chunk ended in `\r`: a `\n` starting the next one belongs to that line break. */
      let afterCr = false;
      /** The current line was cut: drop what follows until the next line break. */
      let cut = false;
      const emit = (line: string) => {
        if (cut) cut = false;
        else spec.onLine?.(line, name);
      };
      stream.setEncoding("utf8");
      stream.on("data", (chunk: string) => {
        spec.onData?.(chunk.length, name);
        output = (output + chunk).slice(-keep);
        if (name === "stdout") stdout = (stdout + chunk).slice(-keep);
        const text = afterCr && chunk.startsWith("\n") ? chunk.slice(1) : chunk;
        afterCr = text.endsWith("\r");
        const parts = (partial + text).split(/\r\n|\r|\n/);
        partial = parts.pop() ?? "";
        for (const line of parts) emit(line.length > MAX_LINE_CHARS ? cutLine(line) : line);
        if (partial.length > MAX_LINE_CHARS && !cut) {
          spec.onLine?.(cutLine(partial), name);
          cut = true;
        }
        if (cut) partial = "";
      });
      stream.on("end", () => {
        if (partial && !cut) spec.onLine?.(partial, name);
        partial = "";
      });
    };
    lines(child.stdout, "stdout");
    lines(child.stderr, "stderr");

    const cleanUp = () => {
      clearTimeout(timeout);
      if (killTimer) clearTimeout(killTimer);
      spec.signal.removeEventListener("abort", onAbort);
    };
    child.on("error", (error: NodeJS.ErrnoException) => {
      cleanUp();
      const why = error.code === "ENOENT" ? "not found" : error.code === "EACCES" ? "not executable" : error.message;
      reject(new UserError(`cannot run ${file}: ${why}`));
    });
    child.on("close", (code, signal) => {
      cleanUp();
      resolve({ code, signal, ...(stopped ? { stopped } : {}), output, stdout });
    });
  });
}

/** The first {@link MAX_LINE_CHARS} of a line, and a note that it was cut. */
function cutLine(line: string): string {
  let end = MAX_LINE_CHARS;
  const last = line.charCodeAt(end - 1);
  if (last >= 0xd800 && last <= 0xdbff) end--; // never half a surrogate pair
  return `${line.slice(0, end)} … (line cut: longer than ${MAX_LINE_CHARS} characters)`;
}

/** "exit code 3", "killed by SIGKILL". */
export function describeExit(result: ProcessResult): string {
  if (result.code !== null) return `exit code ${result.code}`;
  return `killed by ${result.signal ?? "a signal"}`;
}
