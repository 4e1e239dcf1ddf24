import { readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { FakeGitHub } from "@switchboard/test-servers";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { deployHarness, git, makeRepo, tempDir } from "./helpers.js";

const example = fileURLToPath(new URL("../../../examples/deploy/puppet-environment.sh", import.meta.url));

describe("the Puppet story: ci status, then deploy puppet/gh13 to puppetmaster makes a real environment", () => {
  const temp = tempDir("deploy-puppet-");
  const github = new FakeGitHub();
  const repo = makeRepo(temp.dir);
  const environments = join(temp.dir, "environments");
  let baseUrl: string;

  beforeAll(async () => {
    baseUrl = await github.start();
  });
  afterAll(async () => {
    await github.close();
    temp.remove();
  });

  const green = (sha: string) => github.statuses.set(sha, [{ context: "ci/puppet-lint", state: "success" }]);
  const harness = () =>
    deployHarness({
      github: { baseUrl },
      apps: {
        puppet: {
          repository: "github/puppet",
          git: repo.path,
          defaultEnvironment: "puppetmaster",
          provider: {
            type: "command",
            command: [example],
            cwd: temp.dir, // relative paths below, as in examples/deploy.yaml
            env: { PUPPET_REPO: "repo", PUPPET_ENVIRONMENTS: "environments" },
          },
          environments: { puppetmaster: { hosts: ["puppet1"], requiredContexts: ["ci/puppet-lint"] } },
        },
      },
    });

  it("checks CI, creates the environment gh13 as a worktree at the exact commit, streaming the output", async () => {
    const sha = git(repo.path, "rev-parse", "gh13");
    green(sha);
    const h = await harness();
    expect((await h.as("bob").say("!ci status puppet/gh13")).text).toMatch(
      new RegExp(`^✔ puppet/gh13 is ${sha.slice(0, 7)}: CI green[\\s\\S]*gate puppetmaster: +open`),
    );
    const reply = await h.as("bob").say("!deploy puppet/gh13 to puppetmaster");
    expect(h.transcript()).toContain(`creating environment gh13 from gh13 at ${sha.slice(0, 7)}`);
    expect(h.transcript()).toMatch(/environment gh13 ready: .*environments\/gh13 at \w{7} site\.pp/);
    expect(reply.text).toMatch(new RegExp(`✔ deployed puppet/gh13 \\(${sha.slice(0, 7)}\\) to puppetmaster`));
    expect(git(join(environments, "gh13"), "rev-parse", "HEAD")).toBe(sha);
    expect(readFileSync(join(environments, "gh13", "site.pp"), "utf8")).toContain("ensure => '2.39'");
    await h.close();
  });

  it("deploying the branch again moves its environment to the new commit; the default ref becomes production", async () => {
    const moved = repo.commit("gh13", "site.pp", "package { 'git': ensure => '2.40' }");
    green(moved);
    git(repo.path, "checkout", "-q", "main");
    const h = await harness();
    await h.as("bob").say("!deploy puppet/gh13");
    expect(h.transcript()).toMatch(
      new RegExp(`environment gh13 is at \\w{7}; moving it to ${moved.slice(0, 7)} \\(gh13\\)`),
    );
    expect(h.transcript()).toMatch(/site\.pp \| 2 \+-/);
    expect(git(join(environments, "gh13"), "rev-parse", "HEAD")).toBe(moved);
    const main = git(repo.path, "rev-parse", "main");
    green(main);
    expect((await h.as("bob").say("!deploy puppet")).text).toMatch(/✔ deployed puppet\/main/);
    expect(git(join(environments, "production"), "rev-parse", "HEAD")).toBe(main);
    await h.close();
  });
});
