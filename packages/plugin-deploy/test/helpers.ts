/**
 * Test helpers: real git repositories and scripts in temporary folders, and a harness with the deploy plugin.
 */
import { execFileSync } from "node:child_process";
import { chmodSync, existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { eventually, git, gitEnv, tempDir } from "@switchboard/test-servers";
import { createHarness, type Harness } from "@switchboard/testing";
import type { DeployConfigInput } from "../src/config.js";
import type { DeployRecord } from "../src/history.js";
import deploy from "../src/index.js";

export { git, tempDir };

/** A real git repository with a commit on `main` and a branch `gh13` one commit ahead. */
export function makeRepo(dir: string): { path: string; commit(branch: string, file: string, text: string): string } {
  const path = join(dir, "repo");
  execFileSync("git", ["init", "-q", "-b", "main", path], { env: gitEnv });
  const commit = (branch: string, file: string, text: string) => {
    const current = git(path, "symbolic-ref", "--short", "HEAD");
    if (current !== branch) {
      const exists = git(path, "branch", "--list", branch) !== "";
      git(path, "checkout", "-q", ...(exists ? [branch] : ["-b", branch]));
    }
    writeFileSync(join(path, file), text);
    git(path, "add", file);
    git(path, "commit", "-q", "-m", `${file}: ${text}`);
    return git(path, "rev-parse", "HEAD");
  };
  commit("main", "README", "first");
  commit("gh13", "site.pp", "package { 'git': ensure => '2.39' }");
  git(path, "checkout", "-q", "main");
  return { path, commit };
}

/** Writes an executable POSIX sh script. */
export function script(dir: string, name: string, body: string): string {
  const path = join(dir, name);
  writeFileSync(path, `#!/bin/sh\n${body}\n`);
  chmodSync(path, 0o755);
  return path;
}

/** People and roles used across the tests. */
export const policy = {
  roles: {
    deployer: { permissions: ["deploy:run", "deploy:lock", "deploy:read"] },
    releaser: { permissions: ["deploy:*", "jobs:cancel"] },
    approver: { permissions: ["deploy:approve", "deploy:read"] },
  },
  principals: {
    alice: { roles: ["releaser"], identities: { test: "alice" } },
    bob: { roles: ["deployer"], identities: { test: "bob" } },
    carol: { roles: ["approver", "deployer"], identities: { test: "carol" } },
    dave: { roles: ["deployer"], identities: { test: "dave" } },
  },
};

/** A started harness with the deploy plugin; `extra` adds rules, roles and principals to {@link policy}. */
export function deployHarness(
  config: DeployConfigInput,
  extra: { rules?: unknown[]; roles?: Record<string, unknown>; principals?: Record<string, unknown> } = {},
): Promise<Harness> {
  return createHarness({
    policy: {
      roles: { ...policy.roles, ...(extra.roles as typeof policy.roles) },
      principals: { ...policy.principals, ...(extra.principals as typeof policy.principals) },
      rules: (extra.rules ?? []) as never,
    },
    plugins: [[deploy, config]],
  });
}

/** The deploy records in a harness's store, newest first. */
export async function history(h: Harness): Promise<DeployRecord[]> {
  const entries = await h.bot.store.list<DeployRecord>("deploy/history");
  return entries.map(([, r]) => r).sort((a, b) => (a.startedAt < b.startedAt ? 1 : -1));
}

/** Waits until `check` holds (polling; for effects that finish after the job's final message). */
export function until<T>(check: () => T | Promise<T>, what: string, limitMs = 10_000): Promise<NonNullable<T>> {
  return eventually(what, async () => (await check()) || undefined, limitMs) as Promise<NonNullable<T>>;
}

/** The job id mentioned in a reply. */
export const jobIdIn = (text: string) => /job ([a-z0-9]{5})/.exec(text)?.[1] ?? "";

/** Reads a file, or "" when it does not exist. */
export function read(path: string): string {
  return existsSync(path) ? readFileSync(path, "utf8") : "";
}

/** Whether a process is alive. */
export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
