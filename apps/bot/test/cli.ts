/**
 * Runs the built `switchboard` CLI as a child process, in a temporary working directory.
 */
import { type ChildProcessWithoutNullStreams, spawn } from "node:child_process";
import { cpSync, existsSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { tempDir } from "@switchboard/test-servers";

export { tempDir };

export const repoRoot = fileURLToPath(new URL("../../../", import.meta.url));
export const cliPath = join(repoRoot, "apps/bot/dist/cli.js");

/** Fails with a clear message when the CLI has not been built. */
export function assertBuilt(): void {
  if (!existsSync(cliPath))
    throw new Error(
      `${cliPath} is missing: build first (\`pnpm exec turbo run build\`, or \`npm test\`, which builds everything)`,
    );
}

/**
 * Copies examples/`name` (and the example scripts in examples/deploy, puppet and logs) to `<dir>/examples/`, and
 * returns the copy's path. An example's relative paths resolve against its own folder (`../.switchboard/…`), so
 * the copy keeps its data in `<dir>/.switchboard/`, not in the checkout's.
 */
export function copyExample(name: string, dir: string): string {
  for (const folder of ["deploy", "puppet", "logs"])
    cpSync(join(repoRoot, "examples", folder), join(dir, "examples", folder), { recursive: true });
  cpSync(join(repoRoot, "examples", name), join(dir, "examples", name));
  return join(dir, "examples", name);
}

/** The environment children get: no colour, and none of the caller's Switchboard settings. */
export function childEnv(extra: Record<string, string | undefined> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: "1" };
  delete env.SWITCHBOARD_CONFIG;
  delete env.SWITCHBOARD_LOG_LEVEL;
  for (const [key, value] of Object.entries(extra)) {
    if (value === undefined) delete env[key];
    else env[key] = value;
  }
  return env;
}

/**
 * Starts the CLI with pipes for stdin, stdout and stderr. The audit key and checkpoints go to `<cwd>/.config`
 * (`XDG_CONFIG_HOME`) unless `env` says otherwise, never to the real home directory.
 */
export function spawnCli(
  args: string[],
  cwd: string,
  env: Record<string, string | undefined> = {},
): ChildProcessWithoutNullStreams {
  const withConfigHome = { XDG_CONFIG_HOME: join(cwd, ".config"), ...env };
  return spawn(process.execPath, [cliPath, ...args], { cwd, env: childEnv(withConfigHome), stdio: "pipe" });
}

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Runs the CLI to completion, feeding `input` (then end of input) to stdin. */
export function runCli(
  args: string[],
  options: { cwd: string; input?: string; env?: Record<string, string | undefined>; timeoutMs?: number },
): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawnCli(args, options.cwd, options.env);
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => {
      stdout += chunk.toString("utf8");
    });
    child.stderr.on("data", (chunk: Buffer) => {
      stderr += chunk.toString("utf8");
    });
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`switchboard ${args.join(" ")} did not finish; stdout:\n${stdout}\nstderr:\n${stderr}`));
    }, options.timeoutMs ?? 20_000);
    child.on("error", reject);
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
    child.stdin.end(options.input ?? "");
  });
}

/** Collects a child's stdout and lets a test wait for a pattern in it. */
export function watchOutput(child: ChildProcessWithoutNullStreams): {
  text(): string;
  waitFor(match: RegExp, timeoutMs?: number): Promise<string>;
  until(done: (text: string) => boolean, timeoutMs?: number): Promise<string>;
} {
  let text = "";
  child.stdout.on("data", (chunk: Buffer) => {
    text += chunk.toString("utf8");
  });
  const until = (done: (text: string) => boolean, timeoutMs = 10_000, what = "a condition") =>
    new Promise<string>((resolve, reject) => {
      const started = Date.now();
      const poll = () => {
        if (done(text)) resolve(text);
        else if (Date.now() - started > timeoutMs) reject(new Error(`timed out waiting for ${what}; stdout:\n${text}`));
        else setTimeout(poll, 5);
      };
      poll();
    });
  return {
    text: () => text,
    waitFor: (match, timeoutMs) => until((t) => match.test(t), timeoutMs, String(match)),
    until: (done, timeoutMs) => until(done, timeoutMs),
  };
}

/** Resolves with the exit code (or signal) of a child. */
export function exited(
  child: ChildProcessWithoutNullStreams,
): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null)
      resolve({ code: child.exitCode, signal: child.signalCode });
    else child.on("exit", (code, signal) => resolve({ code, signal }));
  });
}
