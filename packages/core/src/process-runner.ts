/**
 * Runs an executable with an argv array (never a shell), streams its output line by line, and stops it on
 * cancel or timeout: SIGTERM to its process group, then SIGKILL after a grace period.
 * @module
 */
import { spawn } from "node:child_process";
import { UserError } from "./errors.js";

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
   * Called with every line of stdout and stderr, in the order they arrive. A run of more than 1 MiB without a newline
   * arrives in pieces of about that size.
   */
  onLine?: (line: string, stream: "stdout" | "stderr") => void;
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
/** The longest line kept whole (characters); a longer run without a newline reaches `onLine` in pieces. */
const MAX_LINE = 1024 * 1024;

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
      stream.setEncoding("utf8");
      stream.on("data", (chunk: string) => {
        output = (output + chunk).slice(-keep);
        if (name === "stdout") stdout = (stdout + chunk).slice(-keep);
        const parts = (partial + chunk).split(/\r?\n/);
        partial = parts.pop() ?? "";
        for (const line of parts) spec.onLine?.(line, name);
        // Output without newlines (a hostile or broken program) is handed on in pieces instead of growing forever.
        if (partial.length > MAX_LINE) {
          spec.onLine?.(partial, name);
          partial = "";
        }
      });
      stream.on("end", () => {
        if (partial) spec.onLine?.(partial, name);
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

/** "exit code 3", "killed by SIGKILL". */
export function describeExit(result: ProcessResult): string {
  if (result.code !== null) return `exit code ${result.code}`;
  return `killed by ${result.signal ?? "a signal"}`;
}
