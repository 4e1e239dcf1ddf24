import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { assertBuilt, runCli, tempDir } from "./cli.js";

describe("switchboard config", () => {
  const temp = tempDir();
  beforeAll(() => assertBuilt());
  afterAll(() => temp.remove());

  const write = (name: string, lines: string[]) => {
    writeFileSync(join(temp.dir, name), `${lines.join("\n")}\n`);
    return name;
  };

  it("check: a bad file gives every error with its key path and line, and exit 1", async () => {
    const file = write("bad.yaml", [
      "bot:", //
      "  name: ops",
      "  defaultTimeout: soon",
      "store:",
      "  synchronous: SOMETIMES",
      "adapters:",
      "  - type: telex",
    ]);
    const result = await runCli(["config", "check", "--config", file], { cwd: temp.dir });
    expect(result.code).toBe(1);
    expect(result.stdout).toBe("");
    expect(result.stderr).toContain("3 problems in bad.yaml");
    expect(result.stderr).toContain("bad.yaml:3:3: bot.defaultTimeout: not a duration");
    expect(result.stderr).toContain(
      'bad.yaml:5:3: store.synchronous: synchronous must be one of: NORMAL, FULL (it is "SOMETIMES")',
    );
    expect(result.stderr).toContain('bad.yaml:7:5: adapters[0].type: unknown adapter type "telex"; known types: shell');
  });

  it(`check: \${VAR} interpolation works, and the summary describes the file`, async () => {
    const file = write("env.yaml", ["bot:", `  name: \${SB_TEST_NAME}`, "store:", `  path: \${SB_TEST_DIR}/bot.db`]);
    const result = await runCli(["config", "check", "-c", file], {
      cwd: temp.dir,
      env: { SB_TEST_NAME: "opsbot", SB_TEST_DIR: "/srv/sb" },
    });
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("ok: env.yaml");
    expect(result.stdout).toMatch(/bot +opsbot, prefix "!"/);
    expect(result.stdout).toMatch(/store +\/srv\/sb\/bot.db \(synchronous NORMAL\)/);
  });

  it("check: a missing variable is reported by name (and line), never with a value", async () => {
    const file = write("missing.yaml", ["plugins: {}", "store:", `  path: \${SB_TEST_UNSET_DIR}/bot.db`]);
    const result = await runCli(["config", "check", "-c", file], {
      cwd: temp.dir,
      env: { SB_TEST_UNSET_DIR: undefined },
    });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("missing.yaml:3:3: store.path: environment variable SB_TEST_UNSET_DIR is not set");
  });

  it("check: a plugin that is not installed is named with its package", async () => {
    const file = write("plugin.yaml", ["plugins:", "  nosuchthing:", "    x: 1"]);
    const result = await runCli(["config", "check", "-c", file], { cwd: temp.dir });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(
      "plugin.yaml:2:3: plugins.nosuchthing: the plugin package @switchboard/plugin-nosuchthing is not installed",
    );
  });

  it("check: a file that does not exist is an error", async () => {
    const result = await runCli(["config", "check", "-c", "nope.yaml"], { cwd: temp.dir });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("nope.yaml: cannot read the configuration file: there is no such file");
  });

  it("show-default prints a configuration that check accepts as is", async () => {
    const shown = await runCli(["config", "show-default"], { cwd: temp.dir });
    expect(shown.code).toBe(0);
    expect(shown.stdout).toContain('permissions: ["*"]');
    expect(shown.stdout).not.toContain("<login>");
    writeFileSync(join(temp.dir, "saved.yaml"), shown.stdout);
    const checked = await runCli(["config", "check", "-c", "saved.yaml"], { cwd: temp.dir });
    expect(checked.code).toBe(0);
    expect(checked.stdout).toMatch(
      /policy +3 roles \(owner, staff, guest\), 1 principal, 0 rules; everyone else gets role guest/,
    );
    const builtIn = await runCli(["config", "check"], { cwd: temp.dir });
    expect(builtIn.stdout).toContain("ok: (built-in default)");
    expect(builtIn.stdout.split("\n").slice(1)).toEqual(checked.stdout.split("\n").slice(1));
  });

  it("commands lists every command with plugin, permission and side effect", async () => {
    const result = await runCli(["commands"], { cwd: temp.dir });
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^command +plugin +who may run it +side effect +summary$/m);
    expect(result.stdout).toMatch(/^role grant +core +role:grant +yes +Give someone a role/m);
    expect(result.stdout).toMatch(/^ping +core +anyone +no +Check that the bot is alive/m);
    // approve, deny and cancel need no permission but are not for guests: the list says so.
    expect(result.stdout).toMatch(/^approve +core +anyone but guests +no /m);
  });
});
