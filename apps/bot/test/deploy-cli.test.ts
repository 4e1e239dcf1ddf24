/**
 * The deploy plugin through the built CLI: loaded by `plugins: { deploy: … }` from the app's dependencies, driven
 * through the shell adapter over a pipe, deploying with a local script and a real git repository.
 */
import { execFileSync } from "node:child_process";
import { chmodSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { git } from "@switchboard/test-servers";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { assertBuilt, copyExample, exited, repoRoot, runCli, spawnCli, tempDir, watchOutput } from "./cli.js";

describe("switchboard shell with the deploy plugin", () => {
  const temp = tempDir("switchboard-deploy-");
  let feature = "";

  beforeAll(() => {
    assertBuilt();
    const repo = join(temp.dir, "repo");
    mkdirSync(repo);
    git(repo, "init", "-q", "-b", "main");
    writeFileSync(join(repo, "app.txt"), "v1\n");
    git(repo, "add", "app.txt");
    git(repo, "commit", "-q", "-m", "v1");
    git(repo, "checkout", "-q", "-b", "feature");
    writeFileSync(join(repo, "app.txt"), "v2\n");
    git(repo, "commit", "-q", "-am", "v2");
    feature = git(repo, "rev-parse", "HEAD");
    const script = join(temp.dir, "deploy.sh");
    writeFileSync(
      script,
      [
        "#!/bin/sh",
        'echo "deploying $DEPLOY_APP $DEPLOY_REF at $DEPLOY_SHA to $DEPLOY_ENV for $DEPLOY_ACTOR"',
        'echo "$DEPLOY_ENV $DEPLOY_SHA" >> deployed.log',
        'echo "done"',
      ].join("\n"),
    );
    chmodSync(script, 0o755);
    writeFileSync(
      join(temp.dir, "switchboard.yaml"),
      [
        "adapters:",
        "  - type: shell",
        "    user: alice",
        "    history: false",
        "plugins:",
        "  deploy:",
        "    apps:",
        "      site:",
        `        git: ${repo}`,
        "        provider: { type: command, command: [./deploy.sh] }",
        "        environments: { staging: {}, production: {} }",
        "roles:",
        "  deployer: { permissions: ['deploy:*'] }",
        "  approver: { permissions: ['deploy:approve'] }",
        "principals:",
        "  alice: { roles: [deployer], identities: { shell: alice } }",
        "  carol: { roles: [approver], identities: { shell: carol } }",
      ].join("\n"),
    );
  });
  afterAll(() => temp.remove());

  it("config check loads the plugin, and so does the example configuration", async () => {
    const mine = await runCli(["config", "check"], { cwd: temp.dir });
    expect(mine.stderr).toBe("");
    expect(mine.stdout).toMatch(/plugins +deploy/);
    // A copy with the demo repositories beside it (config check checks that repositories and scripts exist).
    execFileSync("sh", [join(repoRoot, "examples/deploy/demo-setup.sh")], { cwd: temp.dir, stdio: "ignore" });
    const example = await runCli(["config", "check", "--config", copyExample("deploy.yaml", temp.dir)], {
      cwd: temp.dir,
    });
    expect(example.stderr).toBe("");
    expect(example.code).toBe(0);
    const commands = await runCli(["commands"], { cwd: temp.dir });
    expect(commands.stdout).toMatch(/^deploy +deploy +deploy:run +yes/m);
    expect(commands.stdout).toMatch(/^deploy lock +deploy +deploy:lock/m);
  });

  it("deploys a branch with a local script from a pipe, streaming its output, and lists it", async () => {
    const result = await runCli(["shell"], {
      cwd: temp.dir,
      input: "deploy site/feature to staging\ndeploys site\n",
    });
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    const short = feature.slice(0, 7);
    expect(result.stdout).toContain(`site/feature is ${short}; no CI contexts are required for staging`);
    expect(result.stdout).toContain(`deploying site feature at ${feature} to staging for alice`);
    expect(result.stdout).toMatch(
      new RegExp(`✔ deployed site/feature \\(${short}\\) to staging in \\S+ \\(job \\w{5}\\)`),
    );
    expect(result.stdout).toMatch(new RegExp(`staging +feature \\(${short}\\) +alice +succeeded`));
  });

  it("production waits for a second person's approval, given in the same terminal", async () => {
    const child = spawnCli(["shell"], temp.dir);
    const output = watchOutput(child);
    child.stdin.write("deploy site/feature to production\n");
    const asked = await output.waitFor(/needs 1 approval .* Approve with "!approve (\w{5})"/);
    const id = /approve (\w{5})"/.exec(asked)![1]!;
    child.stdin.write(`approve ${id}\n`);
    expect(await output.waitFor(/you requested job \w{5}; someone else has to approve it/)).toBeTruthy();
    child.stdin.write(`/as carol\napprove ${id}\n`);
    await output.waitFor(/✔ deployed site\/feature \(\w{7}\) to production/);
    child.stdin.end();
    expect((await exited(child)).code).toBe(0);
    expect(output.text()).toContain(`job ${id}: approved by carol; running deploy for alice`);
  });
});
