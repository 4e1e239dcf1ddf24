/**
 * The logs plugin through the built CLI: `config check` loads it from examples/logs.yaml, and `switchboard shell`
 * with that configuration reads the access logs examples/logs/demo-setup.sh writes for two local front ends.
 */
import { execFileSync } from "node:child_process";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { assertBuilt, copyExample, repoRoot, runCli, tempDir } from "./cli.js";

const example = join(repoRoot, "examples/logs.yaml");

describe("examples/logs.yaml through switchboard shell", { timeout: 120_000 }, () => {
  const temp = tempDir("switchboard-logs-");

  beforeAll(() => {
    assertBuilt();
    // A copy in temp/examples: the example's paths resolve against its own folder, and its setup script writes
    // the logs beside it (temp/examples/.switchboard/demo/logs).
    copyExample("logs.yaml", temp.dir);
    execFileSync("sh", [join(temp.dir, "examples/logs/demo-setup.sh")], { cwd: temp.dir, stdio: "ignore" });
  });
  afterAll(() => temp.remove());

  it("config check loads the plugin from the example", async () => {
    const checked = await runCli(["config", "check", "--config", example], { cwd: temp.dir });
    expect(checked.stderr).toBe("");
    expect(checked.code).toBe(0);
    expect(checked.stdout).toMatch(/plugins +logs/);
    const commands = await runCli(["commands", "--config", "examples/logs.yaml"], { cwd: temp.dir });
    expect(commands.stdout).toMatch(/^logs +logs /m);
  });

  it("reads a front end's recent errors, redacted, and suggests a mistyped service", async () => {
    const result = await runCli(["shell", "--config", "examples/logs.yaml"], {
      cwd: temp.dir,
      input: "logs web on fe2 --since 10m --grep 502\nlogs wbe\nlogs web on db1\n",
      timeoutMs: 60_000,
    });
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('web: 4 lines from 1 host since 10m ago matching "502"');
    expect(result.stdout).toContain('"GET /api/orders?token=[redacted] HTTP/1.1" 502');
    expect(result.stdout).not.toContain("demo-secret");
    expect(result.stdout).toContain("no service wbe; did you mean web?");
    expect(result.stdout).toContain("no host or group db1 here");
  });
});
