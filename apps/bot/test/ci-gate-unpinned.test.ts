/**
 * A CI gate whose required check names no GitHub App accepts a green status from anyone with push access to the
 * repository (a commit status of that name is one API call). `config check` says so loudly, per context, and says
 * how to pin it; a pinned context gets no warning.
 */
import { execFileSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { assertBuilt, runCli, tempDir } from "./cli.js";

const config = (contexts: string) =>
  [
    "adapters: [{ type: shell }]",
    "plugins:",
    "  deploy:",
    "    github: { token: t }",
    "    apps:",
    "      web:",
    "        repository: acme/web",
    "        git: ./web",
    "        provider: { type: command, command: [./deploy.sh] }",
    "        environments:",
    `          production: { requiredContexts: ${contexts} }`,
    "roles: { owner: { permissions: ['*'] } }",
    "principals: { ops: { roles: [owner], identities: { shell: ops } } }",
    "",
  ].join("\n");

describe("config check and a CI gate that is not pinned to an app", () => {
  const temp = tempDir("switchboard-ci-pin-");
  beforeAll(() => {
    assertBuilt();
    // What the preflight checks exists: the app's repository and its deploy script.
    execFileSync("git", ["init", "-q", join(temp.dir, "web")]);
    writeFileSync(join(temp.dir, "deploy.sh"), "#!/bin/sh\nexit 0\n", { mode: 0o755 });
  });
  afterAll(() => temp.remove());

  it("warns for each required context without an app, naming where it is and how to pin it", async () => {
    writeFileSync(join(temp.dir, "switchboard.yaml"), config("[ci/test, { name: build, app: github-actions }]"));
    const result = await runCli(["config", "check"], { cwd: temp.dir });
    expect(result.code).toBe(0);
    const warnings = result.stdout.split("\n").filter((l) => l.startsWith("warning:"));
    expect(warnings).toEqual([
      expect.stringMatching(
        /^warning: plugins\.deploy\.apps\.web\.environments\.production\.requiredContexts: "ci\/test" is not pinned to a GitHub App: anyone who can push to acme\/web can post a green "ci\/test" status\. Pin it: \{ name: ci\/test, app: <app slug> \}/,
      ),
    ]);
  });

  it("says nothing when every context is pinned", async () => {
    writeFileSync(join(temp.dir, "switchboard.yaml"), config("[{ name: ci/test, app: github-actions }]"));
    const result = await runCli(["config", "check"], { cwd: temp.dir });
    expect(result.code).toBe(0);
    expect(result.stdout).not.toMatch(/warning:/);
  });
});
