/**
 * The talk's Puppet flow end to end through the built CLI and the shell adapter, with real git and real
 * `puppet apply` on three local "hosts" made by examples/puppet/demo-setup.sh: deploy the branch gh13 (deploy
 * plugin), noop on fs1, apply on fs1, merge, deploy main, noop the file servers, and roll out production to the
 * fileservers group with a second person's approval.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { assertBuilt, copyExample, exited, repoRoot, runCli, spawnCli, tempDir, watchOutput } from "./cli.js";

const setup = join(repoRoot, "examples/puppet/demo-setup.sh");
const environmentScript = join(repoRoot, "examples/deploy/puppet-environment.sh");

describe("the Puppet story through switchboard shell", { timeout: 300_000 }, () => {
  const temp = tempDir("switchboard-puppet-");
  const fleet = join(temp.dir, ".switchboard/demo/fleet");
  const git = (host: string) => readFileSync(join(fleet, "hosts", host, "var/demo-packages/git"), "utf8").trim();

  beforeAll(() => {
    assertBuilt();
    if (spawnSync("puppet", ["--version"]).status !== 0)
      throw new Error("puppet is not installed (Debian's puppet 7): run sh scripts/test-servers.sh");
    execFileSync("sh", [setup], { cwd: temp.dir, stdio: "ignore" });
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
        "      puppet:",
        "        git: ./.switchboard/demo/fleet/control",
        "        defaultEnvironment: puppetmaster",
        "        provider:",
        "          type: command",
        `          command: [${environmentScript}]`,
        "          env:",
        "            PUPPET_REPO: ./.switchboard/demo/fleet/control",
        "            PUPPET_ENVIRONMENTS: ./.switchboard/demo/fleet/environments",
        "        environments: { puppetmaster: { hosts: [puppet1] } }",
        "  puppet:",
        "    runner: { type: local, hostsDir: ./.switchboard/demo/fleet/hosts }",
        "    environmentPath: ./.switchboard/demo/fleet/environments",
        "    inventory: { hosts: [fs1, fs2, fs3], groups: { fileservers: ['fs*'] } }",
        "    rollout: { batch: 2 }",
        "roles:",
        "  operator: { permissions: ['deploy:run', 'puppet:read', 'puppet:noop', 'puppet:apply'] }",
        "  approver: { permissions: ['puppet:approve', 'puppet:read'] }",
        "principals:",
        "  alice: { roles: [operator], identities: { shell: alice } }",
        "  carol: { roles: [approver], identities: { shell: carol } }",
      ].join("\n"),
    );
  });
  afterAll(() => temp.remove());

  it("config check accepts the example configuration", async () => {
    // A copy beside the demo made in temp: the example's paths resolve against its own folder.
    const example = await runCli(["config", "check", "--config", copyExample("puppet.yaml", temp.dir)], {
      cwd: temp.dir,
    });
    expect(example.stderr).toBe("");
    expect(example.stdout).toMatch(/plugins +deploy, puppet/);
    const commands = await runCli(["commands"], { cwd: temp.dir });
    expect(commands.stdout).toMatch(/^puppet rollout +puppet +puppet:apply +yes/m);
  });

  it("deploy gh13, noop and apply on fs1, then roll production out to the file servers with approval", async () => {
    const child = spawnCli(["shell"], temp.dir);
    const output = watchOutput(child);
    const say = (line: string) => child.stdin.write(`${line}\n`);

    say("deploy puppet/gh13 to puppetmaster");
    await output.waitFor(/✔ deployed puppet\/gh13 \(\w{7}\) to puppetmaster/, 30_000);
    say("puppet noop gh13 fs1");
    await output.waitFor(/✔ noop gh13 \(\w{7}\) on fs1: 2 changes on 1 host pending, no failures/, 60_000);
    expect(output.text()).toContain("Package[git] ensure 2.39.2 → 2.39.5 on fs1");
    expect(output.text()).toMatch(/-This file server runs git 2\.39\.2\n\+This file server runs git 2\.39\.5/);
    expect(git("fs1")).toBe("2.39.2");
    say("puppet apply gh13 fs1");
    await output.waitFor(/✔ applied gh13 \(\w{7}\) on fs1: 2 changes on 1 host/, 60_000);
    expect(git("fs1")).toBe("2.39.5");
    expect(git("fs2")).toBe("2.39.2");

    // The pull request is merged; main is deployed to the master as the production environment.
    execFileSync("sh", [setup, "merge"], { cwd: temp.dir, stdio: "ignore" });
    say("deploy puppet to puppetmaster");
    await output.waitFor(/✔ deployed puppet\/main \(\w{7}\) to puppetmaster/, 30_000);
    say("puppet apply production fileservers");
    await output.waitFor(/refusing to roll out production to fileservers: no noop of production on fs1–fs3/, 30_000);
    say("puppet noop production fileservers");
    await output.waitFor(/✔ noop production \(\w{7}\) on fs1–fs3: 2 changes on 2 hosts pending, no failures/, 90_000);
    expect(output.text()).toContain("Package[git] ensure 2.39.2 → 2.39.5 on fs2, fs3");
    say("puppet apply production fileservers");
    const asked = await output.waitFor(/needs 1 approval from someone with puppet:approve[\s\S]*for: +alice/, 30_000);
    expect(asked).toMatch(/noop: +succeeded .* \(job \w{5}\): Package\[git\] ensure 2\.39\.2 → 2\.39\.5 on fs2, fs3/);
    const id = /approve (\w{5})"/.exec(asked)![1]!;
    say(`/as carol\napprove ${id}`);
    await output.waitFor(
      /✔ rolled out production \(\w{7}\) to fileservers: 3 hosts in 2 batches, 2 changes on 2 hosts/,
      120_000,
    );
    const text = output.text();
    expect(text.indexOf("batch 1/2 (canary): fs1")).toBeLessThan(text.indexOf("batch 2/2: fs2, fs3"));
    expect([git("fs1"), git("fs2"), git("fs3")]).toEqual(["2.39.5", "2.39.5", "2.39.5"]);

    say("puppet status fileservers");
    await output.waitFor(/fs3 +\S+ ago +production +\w{7} +2 +0 +0 .*job \w{5} \(apply, alice\)/, 30_000);
    child.stdin.end();
    expect((await exited(child)).code).toBe(0);
  });
});
