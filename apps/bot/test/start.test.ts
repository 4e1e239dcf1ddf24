import { existsSync, mkdirSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { assertBuilt, exited, runCli, spawnCli, tempDir, watchOutput } from "./cli.js";

describe("switchboard start", () => {
  const temp = tempDir();
  beforeAll(() => assertBuilt());
  afterAll(() => temp.remove());

  it("runs every configured adapter and stops gracefully on SIGTERM (exit 0, database closed)", async () => {
    writeFileSync(join(temp.dir, "sb.yaml"), "adapters:\n  - type: shell\n    name: term\n    user: ops\n");
    const child = spawnCli(["start", "--config", "sb.yaml"], temp.dir);
    const stdout = watchOutput(child);
    child.stdin.write("whoami\n");
    await stdout.waitFor(/network: +term as ops/);
    child.kill("SIGTERM");
    expect(await exited(child)).toEqual({ code: 0, signal: null });
    expect(existsSync(join(temp.dir, ".switchboard/switchboard.db-wal"))).toBe(false);
  });

  it("stops on SIGINT too", async () => {
    const child = spawnCli(["start"], temp.dir);
    const stdout = watchOutput(child);
    child.stdin.write("ping\n");
    await stdout.waitFor(/pong/);
    child.kill("SIGINT");
    expect(await exited(child)).toEqual({ code: 0, signal: null });
  });

  it("with only the shell adapter, ends with its input (exit 0)", async () => {
    const result = await runCli(["start"], { cwd: temp.dir, input: "ping\n" });
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^pong, /m);
  });

  it("refuses a bad configuration before creating anything (exit 1)", async () => {
    const fresh = join(temp.dir, "fresh");
    mkdirSync(fresh);
    writeFileSync(join(temp.dir, "bad.yaml"), "adapters:\n  - type: telex\n");
    const result = await runCli(["start", "--config", "../bad.yaml"], { cwd: fresh });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(
      '../bad.yaml:2:5: adapters[0].type: unknown adapter type "telex"; known types: shell',
    );
    expect(readdirSync(fresh)).toEqual([]);
  });
});
