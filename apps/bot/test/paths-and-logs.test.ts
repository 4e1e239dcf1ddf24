/**
 * Where the bot keeps things: relative paths in a configuration file resolve against the file's folder (never a
 * second `.switchboard/` in whatever folder the command ran from), `start` names the resolved paths once, and a
 * log file moved away by logrotate is reopened at its path on SIGHUP.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { assertBuilt, exited, runCli, spawnCli, tempDir, watchOutput } from "./cli.js";

const temps: Array<{ remove(): void }> = [];
afterEach(() => {
  for (const temp of temps.splice(0)) temp.remove();
});
beforeAll(() => assertBuilt());

/** A temp folder with `conf/bot.yaml` whose paths are relative, and an empty `elsewhere/` to run from. */
function layout(extra = ""): { dir: string; config: string; elsewhere: string } {
  const temp = tempDir("switchboard-paths-");
  temps.push(temp);
  mkdirSync(join(temp.dir, "conf"));
  mkdirSync(join(temp.dir, "elsewhere"));
  const config = join(temp.dir, "conf/bot.yaml");
  writeFileSync(
    config,
    [
      "store: { path: ./data/bot.db }",
      "log: { file: ./logs/bot.log }",
      "audit: { keyFile: ./keys/audit-key }",
      "adapters: [{ type: shell, user: alice }]",
      "roles: { owner: { permissions: ['*'] } }",
      "principals: { alice: { roles: [owner], identities: { shell: alice } } }",
      extra,
    ].join("\n"),
  );
  return { dir: temp.dir, config, elsewhere: join(temp.dir, "elsewhere") };
}

describe("relative paths in a configuration file", () => {
  it("resolve against the file's folder, wherever the command runs", async () => {
    const { dir, elsewhere } = layout();
    const result = await runCli(["shell", "--config", "../conf/bot.yaml"], { cwd: elsewhere, input: "ping\n" });
    expect(result.stdout).toContain("pong");
    expect(result.code).toBe(0);
    expect(existsSync(join(dir, "conf/data/bot.db"))).toBe(true);
    expect(existsSync(join(dir, "conf/logs/bot.log"))).toBe(true);
    expect(existsSync(join(dir, "conf/keys/audit-key"))).toBe(true);
    expect(existsSync(join(elsewhere, "data"))).toBe(false);
    expect(existsSync(join(elsewhere, ".switchboard"))).toBe(false);
    // The audit commands find the same database from anywhere.
    const verify = await runCli(["audit", "verify", "--config", "../conf/bot.yaml"], { cwd: elsewhere });
    expect(verify.stdout).toContain(`ok: 2 entries`);
    expect(verify.stdout).toContain(join(dir, "conf/data/bot.db"));
    // Paths on the command line stay relative to where it was run.
    const exported = await runCli(["audit", "export", "-o", "audit.jsonl", "--config", "../conf/bot.yaml"], {
      cwd: elsewhere,
    });
    expect(exported.code).toBe(0);
    expect(readFileSync(join(elsewhere, "audit.jsonl"), "utf8").trim().split("\n")).toHaveLength(2);
  });

  it("start names the resolved data, log and key paths once", async () => {
    const { dir, elsewhere } = layout();
    const result = await runCli(["start", "--config", "../conf/bot.yaml"], { cwd: elsewhere, input: "ping\n" });
    expect(result.code).toBe(0);
    const lines = result.stderr.split("\n").filter((line) => line.includes("; data "));
    expect(lines).toEqual([
      `switchboard: config ${join(dir, "conf/bot.yaml")}; data ${join(dir, "conf/data/bot.db")}; log ${join(dir, "conf/logs/bot.log")}; audit key ${join(dir, "conf/keys/audit-key")}`,
    ]);
  });
});

describe("the log", () => {
  it('goes to standard error with log.file "-" while the shell owns standard output', async () => {
    const { config, elsewhere } = layout();
    writeFileSync(config, readFileSync(config, "utf8").replace("./logs/bot.log", '"-"'));
    const result = await runCli(["shell", "--config", config], { cwd: elsewhere, input: "ping\n" });
    expect(result.stdout).toContain("pong");
    expect(result.stdout).not.toContain('"level"');
    const json = result.stderr
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line) as { msg?: string });
    expect(json.some((entry) => entry.msg === "stopped")).toBe(true);
  });

  it("is reopened at its path on SIGHUP (after logrotate moved it)", async () => {
    const { dir, config, elsewhere } = layout();
    const log = join(dir, "conf/logs/bot.log");
    const child = spawnCli(["shell", "--config", config], elsewhere);
    const output = watchOutput(child);
    child.stdin.write("ping\n");
    await output.waitFor(/pong/);
    renameSync(log, `${log}.1`);
    child.kill("SIGHUP");
    await new Promise<void>((resolve, reject) => {
      const poll = setInterval(() => {
        if (existsSync(log) && readFileSync(log, "utf8").includes('"log reopened"')) {
          clearInterval(poll);
          resolve();
        }
      }, 20);
      child.on("exit", () => reject(new Error("the bot exited on SIGHUP")));
    });
    child.stdin.write("whoami\n");
    await output.waitFor(/alice/);
    child.stdin.end();
    expect((await exited(child)).code).toBe(0);
    const rotated = readFileSync(`${log}.1`, "utf8");
    const fresh = readFileSync(log, "utf8");
    expect(rotated).not.toContain('"log reopened"');
    expect(fresh).toContain('"msg":"stopped"');
    expect(rotated).not.toContain('"msg":"stopped"');
  });
});
