import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

const checker = new URL("../../../scripts/check-docs.mjs", import.meta.url).pathname;

function check(root: string): { ok: boolean; output: string } {
  try {
    return { ok: true, output: execFileSync("node", [checker, root], { encoding: "utf8", stdio: "pipe" }) };
  } catch (error) {
    return { ok: false, output: String((error as { stderr: string }).stderr) };
  }
}

describe("the documented-commands check run by npm run lint", () => {
  it("passes on this repository", () => {
    expect(check(new URL("../../..", import.meta.url).pathname)).toMatchObject({ ok: true });
  });

  it("names every command that needs pnpm on the PATH, or a switchboard binary that is not there", () => {
    const root = mkdtempSync(join(tmpdir(), "docs-"));
    const write = (path: string, text: string) => {
      mkdirSync(join(root, path, ".."), { recursive: true });
      writeFileSync(join(root, path), text);
    };
    write("README.md", "./switchboard shell --config examples/x.yaml\nthe switchboard configuration\n");
    write("packages/plugin-x/README.md", "Run `pnpm exec vitest run packages/plugin-x`.\n");
    write("examples/x.yaml", "#   pnpm switchboard shell --config examples/x.yaml\n");
    write("apps/bot/README.md", "```sh\nswitchboard audit verify\n```\n");
    const result = check(root);
    expect(result.ok).toBe(false);
    const lines = result.output
      .trim()
      .split("\n")
      .slice(1)
      .map((line) => line.trim());
    expect(lines).toEqual([
      'packages/plugin-x/README.md:1: "pnpm exec" (write npx …, npm run … or npm start/test)',
      'apps/bot/README.md:2: "switchboard audit" (write ./switchboard …)',
      'examples/x.yaml:1: "pnpm switchboard" (write ./switchboard …)',
      // The plugin README of this fixture also lacks the sections every plugin README has, in order.
      'packages/plugin-x/README.md: no "## Commands…" section',
      'packages/plugin-x/README.md: no "## Configuration…" section',
      'packages/plugin-x/README.md: no "## How it can be abused…" section',
      'packages/plugin-x/README.md: no "## Tests…" section',
      "packages/plugin-x/README.md: the plugin has no src/permissions.ts",
    ]);
  });

  it("control: names a documented command, key, adapter type or audit event that does not exist", () => {
    const root = mkdtempSync(join(tmpdir(), "docs-"));
    const write = (path: string, text: string) => {
      mkdirSync(join(root, path, ".."), { recursive: true });
      writeFileSync(join(root, path), text);
    };
    write(
      "README.md",
      [
        "Restore with `./switchboard restore`, then `./switchboard audit reanchor` and `./switchboard audit re-anchor`.",
        "Set `audit.keyfile` (not `audit.keyFile`) and `store.path`.",
        "",
      ].join("\n"),
    );
    write(
      "docs/x.md",
      "```yaml\nadapters:\n  - type: telex\n  - type: irc\nplugins: { deploy: { apps: { web: { provider: { type: command } } } } }\n```\n" +
        "Then `!grpah -1h load` and `!graph -1h load`.\n```text\n!deploi web to staging\n!deploy web to staging\n```\n" +
        "```yaml\nstore: { pth: x.db }\nplugins:\n  deploy: { githubToken: x, apps: {} }\n```\n" +
        "```yaml\nroute: { receiver: bot }\n```\n", // not a switchboard configuration: not checked
    );
    write("examples/bad.yaml", "log: { file: x.log, levle: info }\n");
    write(
      "apps/bot/README.md",
      "Each `decision` event names its rule; `admitted` events too.\n#16     2025-11-25 22:24:41Z  d4emy  started  bob  ping  x\n",
    );
    const result = check(root);
    expect(result.ok).toBe(false);
    const lines = result.output
      .trim()
      .split("\n")
      .slice(1)
      .map((line) => line.trim().replace(/ \((?:commands|types|events): [^)]*\)$/, ""));
    expect(lines).toEqual([
      'README.md:1: "./switchboard restore" is not a command',
      'README.md:1: "./switchboard audit reanchor" is not a command',
      'README.md:2: configuration key "audit.keyfile" does not exist (see docs/reference/configuration.md)',
      // YAML examples are checked first, then the lines.
      'docs/x.md:13: configuration key "store.pth" does not exist (see docs/reference/configuration.md)',
      'docs/x.md:13: configuration key "plugins.deploy: githubToken" does not exist (see docs/reference/configuration.md)',
      'docs/x.md:3: adapter type "telex" does not exist',
      'docs/x.md:7: chat command "!grpah" does not exist (see docs/reference/permissions.md)',
      'docs/x.md:9: chat command "!deploi" does not exist (see docs/reference/permissions.md)',
      'apps/bot/README.md:1: audit event "decision" is not one this version writes',
      'apps/bot/README.md:2: audit event "started" in a sample is not one this version writes',
      'examples/bad.yaml: configuration key "log.levle" does not exist (see docs/reference/configuration.md)',
    ]);
  });
});
