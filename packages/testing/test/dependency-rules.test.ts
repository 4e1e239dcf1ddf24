import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

const checker = new URL("../../../scripts/check-deps.mjs", import.meta.url).pathname;

function workspace(files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), "deps-"));
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(join(root, path, ".."), { recursive: true });
    writeFileSync(join(root, path), content);
  }
  return root;
}

function check(root: string): { ok: boolean; output: string } {
  try {
    return { ok: true, output: execFileSync("node", [checker, root], { encoding: "utf8", stdio: "pipe" }) };
  } catch (error) {
    return { ok: false, output: String((error as { stderr: string }).stderr) };
  }
}

describe("the dependency rule check run by CI", () => {
  it("passes on this repository", () => {
    expect(check(new URL("../../..", import.meta.url).pathname)).toMatchObject({ ok: true });
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
});
