import { describe, expect, it } from "vitest";
import { workspace as makeWorkspace, repoRoot, runLintScript } from "./lint-script.js";

const workspace = (files: Record<string, string>) => makeWorkspace(files, "deps-");
const check = (root: string) => runLintScript("check-deps.mjs", root);

describe("the dependency rule check run by CI", () => {
  it("passes on this repository", () => {
    expect(check(repoRoot)).toMatchObject({ ok: true });
  });

  it("fails when an adapter depends on a plugin, or a plugin reaches into core's src", () => {
    const root = workspace({
      "packages/core/package.json": JSON.stringify({ name: "@switchboard/core" }),
      "packages/plugin-x/package.json": JSON.stringify({
        name: "@switchboard/plugin-x",
        dependencies: { "@switchboard/core": "*" },
      }),
      "packages/plugin-x/src/index.ts":
        'import { a } from "@switchboard/core/src/bot.js";\nimport { b } from "../../core/src/x.js";\n',
      "packages/adapter-y/package.json": JSON.stringify({
        name: "@switchboard/adapter-y",
        dependencies: { "@switchboard/plugin-x": "*", commander: "14" },
      }),
    });
    const result = check(root);
    expect(result.ok).toBe(false);
    expect(result.output).toContain(
      "packages/adapter-y: dependencies has @switchboard/plugin-x, which @switchboard/adapter-y may not depend on",
    );
    expect(result.output).toContain("packages/adapter-y: commander belongs only in apps/bot");
    expect(result.output).toContain(
      "packages/plugin-x/src/index.ts: imports @switchboard/core/src/bot.js; use the package's public entry",
    );
    expect(result.output).toContain("packages/plugin-x/src/index.ts: imports ../../core/src/x.js, outside its package");
  });
  it("checks test folders too: no reaching into another package's test/, and only declared workspace packages", () => {
    const root = workspace({
      "packages/core/package.json": JSON.stringify({ name: "@switchboard/core" }),
      "packages/test-servers/package.json": JSON.stringify({ name: "@switchboard/test-servers", private: true }),
      "packages/adapter-y/package.json": JSON.stringify({
        name: "@switchboard/adapter-y",
        dependencies: { "@switchboard/core": "*" },
        devDependencies: { "@switchboard/test-servers": "*" },
      }),
      "packages/adapter-y/src/index.ts": 'import { startNgircd } from "@switchboard/test-servers";\n',
      "packages/adapter-y/test/ok.test.ts": 'import { startNgircd } from "@switchboard/test-servers";\n',
      "packages/adapter-z/package.json": JSON.stringify({
        name: "@switchboard/adapter-z",
        dependencies: { "@switchboard/core": "*", "@switchboard/test-servers": "*" },
      }),
      "packages/plugin-w/package.json": JSON.stringify({ name: "@switchboard/plugin-w" }),
      // A benchmark script starts servers as a test does: it may use the package's dev dependencies.
      "bench/package.json": JSON.stringify({
        name: "@switchboard/bench",
        devDependencies: { "@switchboard/test-servers": "*" },
      }),
      "bench/slack.mjs": 'import { FakeSlack } from "@switchboard/test-servers";\n',
      "packages/plugin-w/test/a.test.ts": 'import { Homeserver } from "@switchboard/test-servers";\n',
      "apps/bot/package.json": JSON.stringify({ name: "switchboard" }),
      "apps/bot/test/b.test.ts": [
        '/// <reference path="../../../packages/adapter-y/src/types.d.ts" />',
        "import {",
        "  IrcUser,",
        '} from "../../../packages/adapter-y/test/irc-user.js";',
        // split, so that this file itself does not contain the dynamic import it tests
        `const late = await imp${"ort"}("../../../packages/adapter-y/dist/index.js");`,
        "",
      ].join("\n"),
    });
    const result = check(root);
    expect(result.ok).toBe(false);
    const lines = result.output.split("\n").map((line) => line.trim());
    expect(lines).toContain(
      "packages/adapter-y/src/index.ts: imports @switchboard/test-servers, a dev dependency of packages/adapter-y; only its tests may",
    );
    expect(lines).toContain(
      "packages/adapter-z: dependencies has @switchboard/test-servers, which is for tests only (a devDependency)",
    );
    expect(lines).toContain(
      "packages/plugin-w/test/a.test.ts: imports @switchboard/test-servers, which packages/plugin-w/package.json does not declare",
    );
    for (const path of ["src/types.d.ts", "test/irc-user.js", "dist/index.js"]) {
      expect(result.output).toContain(
        `apps/bot/test/b.test.ts: imports ../../../packages/adapter-y/${path}, outside its package`,
      );
    }
    expect(result.output).not.toContain("packages/adapter-y/test/ok.test.ts");
    expect(result.output).not.toContain("bench/slack.mjs");
  });

  it("keeps fake servers and shared test helpers in @switchboard/test-servers: a copy in a test folder fails", () => {
    const root = workspace({
      "packages/core/package.json": JSON.stringify({ name: "@switchboard/core" }),
      "packages/test-servers/package.json": JSON.stringify({ name: "@switchboard/test-servers", private: true }),
      "packages/test-servers/src/pagerduty.ts": "export class FakePagerDuty {}\n",
      "packages/plugin-p/package.json": JSON.stringify({
        name: "@switchboard/plugin-p",
        dependencies: { "@switchboard/core": "*" },
        devDependencies: { "@switchboard/test-servers": "*" },
      }),
      "packages/plugin-p/test/pagerduty-server.ts": "export class FakePagerDuty {\n  start() {}\n}\n",
      "packages/plugin-p/test/servers/statuspage.ts": "  export async function FakeStatuspage() {}\n",
      "packages/plugin-p/test/helpers.ts":
        "export async function freePort() {}\nconst tempDir = () => 1;\nexport function makePng() {}\n",
      "packages/plugin-p/test/ok.test.ts":
        'import { FakePagerDuty, tempDir } from "@switchboard/test-servers";\nvi.useFakeTimers();\nconst pd = new FakePagerDuty();\nconst dir = tempDir();\n',
    });
    const result = check(root);
    expect(result.ok).toBe(false);
    const lines = result.output.split("\n").map((line) => line.trim());
    expect(lines).toContain(
      "packages/plugin-p/test/pagerduty-server.ts: defines FakePagerDuty, a fake server; fake servers live in @switchboard/test-servers",
    );
    expect(lines).toContain(
      "packages/plugin-p/test/servers/statuspage.ts: defines FakeStatuspage, a fake server; fake servers live in @switchboard/test-servers",
    );
    for (const name of ["freePort", "tempDir", "makePng"])
      expect(lines).toContain(
        `packages/plugin-p/test/helpers.ts: defines ${name}, which @switchboard/test-servers has; import it from there`,
      );
    expect(result.output).not.toContain("ok.test.ts");
    expect(result.output).not.toContain("packages/test-servers/src");
  });

  it("keeps server launchers in @switchboard/test-servers: a start… function that runs a program in a test folder fails", () => {
    const root = workspace({
      "packages/core/package.json": JSON.stringify({ name: "@switchboard/core" }),
      "packages/test-servers/package.json": JSON.stringify({ name: "@switchboard/test-servers", private: true }),
      "packages/test-servers/src/prometheus.ts":
        'export async function startPrometheus() {\n  spawn(requireBinary("prometheus"), []);\n}\n',
      "packages/plugin-m/package.json": JSON.stringify({
        name: "@switchboard/plugin-m",
        dependencies: { "@switchboard/core": "*" },
        devDependencies: { "@switchboard/test-servers": "*" },
      }),
      "packages/plugin-m/test/servers/prometheus.ts": [
        "export async function startPrometheus(targets: string[]) {",
        '  const binary = requireBinary("prometheus");',
        "  return spawn(binary, targets);",
        "}",
        "",
      ].join("\n"),
      "packages/plugin-m/test/ssh.test.ts": [
        "const startSshd = async (dir: string) => {",
        '  const child = spawn("/usr/sbin/sshd", ["-D", "-f", dir]);',
        "};",
        "",
      ].join("\n"),
      "packages/plugin-m/test/graphite.ts":
        'export const startGraphite = async () => promisify(execFile)("graphite-manage", ["migrate"]);\n',
      // not launchers: a Node script started by a test, a regular expression's exec, a spawn outside start…
      "packages/plugin-m/test/workers.ts":
        'export async function startWorker() {\n  return spawn(process.execPath, ["worker.mjs"]);\n}\n',
      "packages/plugin-m/test/parse.ts":
        "export function startParsing(text: string) {\n  return /a(b)/.exec(text);\n}\n",
      "packages/plugin-m/test/cli.test.ts": 'const out = execFileSync("git", ["status"]);\n',
      "packages/plugin-m/test/ok.test.ts":
        'import { startPrometheus } from "@switchboard/test-servers";\nconst prometheus = await startPrometheus();\n',
    });
    const result = check(root);
    expect(result.ok).toBe(false);
    const lines = result.output.split("\n").map((line) => line.trim());
    const launcher = (file: string, name: string) =>
      `packages/plugin-m/test/${file}: defines ${name}, which runs a program: a server launcher; server launchers live in @switchboard/test-servers`;
    expect(lines).toContain(launcher("servers/prometheus.ts", "startPrometheus"));
    expect(lines).toContain(launcher("ssh.test.ts", "startSshd"));
    expect(lines).toContain(launcher("graphite.ts", "startGraphite"));
    for (const file of ["workers.ts", "parse.ts", "cli.test.ts", "ok.test.ts", "packages/test-servers"])
      expect(result.output).not.toContain(file);
  });
});
