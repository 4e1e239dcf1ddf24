/**
 * Real Puppet fixtures in temporary folders: environments (git checkouts with manifests and the demo package
 * provider from examples/puppet), and "hosts" (a confdir and vardir each) whose packages start at git 2.39.2.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { eventually, git, gitEnv, tempDir } from "@switchboard/test-servers";
import { createHarness, type Harness } from "@switchboard/testing";
import type { PuppetConfigInput } from "../src/config.js";
import puppet from "../src/index.js";

export { git, tempDir };

const demoModules = fileURLToPath(new URL("../../../examples/puppet/modules", import.meta.url));

/** Fails (never skips) when puppet is not installed. */
export function assertPuppet(): void {
  const found = spawnSync("puppet", ["--version"], { encoding: "utf8" });
  if (found.status !== 0)
    throw new Error("puppet is not installed (Debian's puppet 7 is needed): run sh scripts/test-servers.sh");
}

/**
 * The manifest of the story: git at `version` (a package-like resource), a motd file saying so, a file with a
 * Sensitive content, and per-host overrides (`hostGit: { fs3: "2.39.5-broken" }`, `brokenSource: ["fs3"]`).
 */
export function manifest(options: {
  version: string;
  secret?: string;
  hostGit?: Record<string, string>;
  brokenSource?: string[];
}): string {
  const nodes = Object.entries(options.hostGit ?? {}).map(
    ([host, version]) => `node '${host}' {\n  class { 'common': git => '${version}' }\n}\n`,
  );
  for (const host of options.brokenSource ?? [])
    nodes.push(
      `node '${host}' {\n  include common\n  file { 'broken': path => "\${settings::vardir}/broken", source => 'puppet:///modules/demo/missing.txt' }\n}\n`,
    );
  return [
    `class common($git = '${options.version}') {`,
    "  package { 'git': ensure => $git, provider => demo }",
    // biome-ignore lint/suspicious/noTemplateCurlyInString: Puppet's own interpolation, not JavaScript's
    "  file { 'motd': path => \"${settings::vardir}/motd\", content => \"git ${git}\\n\", require => Package['git'] }",
    ...(options.secret
      ? [`  file { 'secret': path => "\${settings::vardir}/secret", content => Sensitive("${options.secret}\\n") }`]
      : []),
    "}",
    ...nodes,
    "node default { include common }",
    "",
  ].join("\n");
}

/** Creates (or moves to a new commit) an environment: a git checkout with manifests/site.pp and the demo module. */
export function writeEnvironment(environmentPath: string, name: string, site: string): string {
  const dir = join(environmentPath, name);
  const fresh = !existsSync(dir);
  mkdirSync(join(dir, "manifests"), { recursive: true });
  if (fresh) {
    cpSync(demoModules, join(dir, "modules"), { recursive: true });
    execFileSync("git", ["init", "-q", "-b", "main", dir], { env: gitEnv });
  }
  writeFileSync(join(dir, "manifests", "site.pp"), site);
  git(dir, "add", "-A");
  git(dir, "commit", "-q", "--allow-empty", "-m", `${name}: ${site.length} bytes`);
  return git(dir, "rev-parse", "HEAD");
}

/** Creates hosts with git 2.39.2 "installed", an old motd and an old secret. */
export function makeHosts(hostsDir: string, names: string[], gitVersion = "2.39.2"): void {
  for (const host of names) {
    const vardir = join(hostsDir, host, "var");
    mkdirSync(join(vardir, "demo-packages"), { recursive: true });
    mkdirSync(join(hostsDir, host, "conf"), { recursive: true });
    writeFileSync(join(vardir, "demo-packages", "git"), `${gitVersion}\n`);
    writeFileSync(join(vardir, "motd"), `git ${gitVersion}\n`);
    writeFileSync(join(vardir, "secret"), "old-s3cret-value\n");
  }
}

/** The git version "installed" on a host. */
export function installedGit(hostsDir: string, host: string): string {
  return readFileSync(join(hostsDir, host, "var", "demo-packages", "git"), "utf8").trim();
}

/** People and roles used across the tests. */
export const policy = {
  roles: {
    operator: { permissions: ["puppet:read", "puppet:noop", "puppet:apply", "puppet:force", "jobs:cancel"] },
    looker: { permissions: ["puppet:read", "puppet:noop"] },
    approver: { permissions: ["puppet:approve", "puppet:noop"] },
    applier: { permissions: ["puppet:noop", "puppet:apply"] },
  },
  principals: {
    alice: { roles: ["operator"], identities: { test: "alice" } },
    bob: { roles: ["looker"], identities: { test: "bob" } },
    carol: { roles: ["approver"], identities: { test: "carol" } },
    dave: { roles: ["operator"], identities: { test: "dave" } },
    erin: { roles: ["applier"], identities: { test: "erin" } },
  },
};

/** A started harness with the puppet plugin. */
export function puppetHarness(config: PuppetConfigInput): Promise<Harness> {
  return createHarness({ policy, plugins: [[puppet, config]] });
}

/** Waits until `check` holds (polling with a deadline). */
export function until<T>(check: () => T | Promise<T>, what: string, limitMs = 60_000): Promise<NonNullable<T>> {
  return eventually(what, async () => (await check()) || undefined, limitMs) as Promise<NonNullable<T>>;
}

/** The job id in a reply (`job abc12`). */
export const jobIdIn = (text: string) => /job ([a-z0-9]{5})/.exec(text)?.[1] ?? "";
