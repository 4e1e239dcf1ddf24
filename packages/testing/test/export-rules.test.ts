/**
 * The unused-export check that `npm run lint` runs (scripts/check-exports.mjs): it passes on this repository, and it
 * bites on a workspace where a package exports a name nothing outside it imports.
 */
import { describe, expect, it } from "vitest";
import { workspace as makeWorkspace, repoRoot, runLintScript } from "./lint-script.js";

const workspace = (files: Record<string, string>) => makeWorkspace(files, "exports-");
const check = (root: string) => runLintScript("check-exports.mjs", root);

const core = {
  "packages/core/package.json": JSON.stringify({
    name: "@switchboard/core",
    exports: {
      ".": { import: "./dist/index.js" },
      "./audit": { import: "./dist/audit-internals.js" },
    },
  }),
  "packages/core/src/index.ts":
    'export { used, unused } from "./a.js";\nexport type { Shape } from "./a.js";\n// Named by inferred types of other packages.\nexport type { Inferred } from "./a.js";\n',
  "packages/core/src/audit-internals.ts": 'export { chain, stray } from "./b.js";\n',
  // Core's own tests do not count as users.
  "packages/core/test/a.test.ts": 'import { unused, stray } from "../src/index.js";\n',
  "packages/plugin-x/package.json": JSON.stringify({ name: "@switchboard/plugin-x" }),
  "packages/plugin-x/src/index.ts":
    'import { used, type Shape } from "@switchboard/core";\nimport { chain } from "@switchboard/core/audit";\nexport default 1;\n',
};

describe("the unused-export check run by CI", () => {
  it("passes on this repository", () => {
    expect(check(repoRoot)).toMatchObject({ ok: true });
  });

  it("fails naming each export nothing outside its package imports, in every entry; inferred-type exports pass", () => {
    const result = check(workspace(core));
    expect(result.ok).toBe(false);
    expect(result.output).toContain(
      "packages/core/src/index.ts: unused is exported by @switchboard/core but nothing outside uses it",
    );
    expect(result.output).toContain(
      "packages/core/src/audit-internals.ts: stray is exported by @switchboard/core/audit but nothing outside uses it",
    );
    expect(result.output).not.toMatch(/\bused is exported|Shape|Inferred|chain/);
  });

  it("passes once every export has a user outside the package", () => {
    const result = check(
      workspace({
        ...core,
        "packages/plugin-y/package.json": JSON.stringify({ name: "@switchboard/plugin-y" }),
        "packages/plugin-y/test/y.test.ts":
          'import { unused } from "@switchboard/core";\nimport { stray } from "@switchboard/core/audit";\n',
      }),
    );
    expect(result).toMatchObject({ ok: true });
  });
});
