/**
 * Resolves a ref to a commit with git: `git ls-remote` for branches and tags (any repository path or URL), and
 * `git rev-parse` for a commit id in a local repository. Validated refs only; the ref is never in option position.
 * @module
 */
import { statSync } from "node:fs";
import { baseEnvironment, runProcess, UserError } from "@switchboard/core";
import { isCommitId } from "./names.js";

/** How git is run. */
export interface GitOptions {
  /** The git executable. */
  command: string;
  signal: AbortSignal;
  /** Default 60 s. */
  timeoutMs?: number;
}

async function git(options: GitOptions, args: string[]): Promise<{ ok: boolean; output: string }> {
  const result = await runProcess({
    argv: [options.command, ...args],
    env: { ...baseEnvironment(), GIT_TERMINAL_PROMPT: "0", LC_ALL: "C" },
    timeoutMs: options.timeoutMs ?? 60_000,
    killGraceMs: 2_000,
    signal: options.signal,
  });
  if (result.stopped === "timeout") throw new UserError(`git ${args[0]} took too long`);
  return { ok: result.code === 0, output: result.output };
}

/** A path on this machine, not a URL (`https://…`, `file://…`) or scp-like `user@host:path`. */
function isLocalPath(repository: string): boolean {
  return !/^[a-z][a-z0-9+.-]*:\/\//i.test(repository) && !/^[^/]+@[^/]+:/.test(repository);
}

/** git's `fatal:` line when it printed one (the reason), else its last line. */
function fatalLine(output: string): string {
  const fatal = output.split("\n").find((line) => line.startsWith("fatal:"));
  return fatal ? fatal.slice("fatal:".length).trim() : lastLine(output);
}

function isLocalDirectory(repository: string): boolean {
  return statSync(repository, { throwIfNoEntry: false })?.isDirectory() === true;
}

/**
 * The commit a validated ref names in `repository`: a branch, then a tag (peeled), then — in a local repository — a
 * commit id or abbreviation. With `branchOnly`, only a branch. Throws a UserError when the ref does not exist.
 */
export async function resolveWithGit(
  repository: string,
  ref: string,
  options: GitOptions & { branchOnly?: boolean },
): Promise<string> {
  const wanted = options.branchOnly
    ? [`refs/heads/${ref}`]
    : [`refs/heads/${ref}`, `refs/tags/${ref}^{}`, `refs/tags/${ref}`];
  const listed = await git(options, ["ls-remote", "--", repository, ...wanted]);
  if (!listed.ok) {
    // A local path that is not there: say so (git's last line would be "… and the repository exists.").
    if (isLocalPath(repository) && !statSync(repository, { throwIfNoEntry: false }))
      throw new UserError(
        `the repository ${repository} does not exist`,
        "create it or fix the app's git setting; for the examples run sh examples/deploy/demo-setup.sh from the repository root",
      );
    throw new UserError(`git could not read ${repository}: ${fatalLine(listed.output)}`);
  }
  const refs = new Map<string, string>();
  for (const line of listed.output.split("\n")) {
    const [sha, name] = line.split("\t");
    if (sha && name && isCommitId(sha)) refs.set(name, sha);
  }
  for (const name of wanted) {
    const sha = refs.get(name);
    if (sha) return sha;
  }
  if (options.branchOnly) throw new UserError(`no branch "${ref}" in ${repository}`);
  if (/^[0-9a-f]{7,64}$/.test(ref) && isLocalDirectory(repository)) {
    const parsed = await git(options, ["-C", repository, "rev-parse", "--verify", "--quiet", `${ref}^{commit}`]);
    const sha = parsed.output.trim();
    if (parsed.ok && isCommitId(sha)) return sha;
  }
  throw new UserError(`no branch or tag "${ref}" in ${repository}`);
}

function lastLine(text: string): string {
  return text.trim().split("\n").at(-1) ?? "failed";
}
