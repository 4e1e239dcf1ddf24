/**
 * What a user outside this repository gets: core, store-sqlite, testing and the shell adapter are built, packed with
 * pnpm into tarballs, and installed with plain npm into an empty project in the system's temp folder (third-party
 * dependencies come from the npm registry; better-sqlite3 compiles against this Node's headers). There
 * examples/embed/bot.mjs runs against the installed packages, every public entry (including `./type` and
 * `@switchboard/core/audit`) imports as ESM, and TypeScript resolves their types.
 */
import { execFileSync, spawnSync } from "node:child_process";
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { conversation, expectConversation } from "./conversation.js";

const root = resolve(new URL("../../..", import.meta.url).pathname);
const bin = (name: string) => join(root, "node_modules/.bin", name);
const packed = {
  "@switchboard/core": "packages/core",
  "@switchboard/store-sqlite": "packages/store-sqlite",
  "@switchboard/testing": "packages/testing",
  "@switchboard/adapter-shell": "packages/adapter-shell",
};

const scratch = mkdtempSync(join(tmpdir(), "switchboard-packed-"));
const project = join(scratch, "project");
const tarballs = join(scratch, "tarballs");
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/**
 * npm's environment: none of the npm settings of the process that started vitest; better-sqlite3 compiled from
 * source (so only the npm registry is reached, not its prebuilt binaries on GitHub) against this Node's own headers,
 * as scripts/bootstrap.sh does; no notices.
 */
function npmEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = Object.fromEntries(
    Object.entries(process.env).filter(([key]) => !/^npm_config_/i.test(key)),
  );
  Object.assign(env, {
    npm_config_update_notifier: "false",
    NO_UPDATE_NOTIFIER: "1",
    npm_config_build_from_source: "true",
  });
  const prefix = resolve(dirname(process.execPath), "..");
  if (existsSync(join(prefix, "include/node/node.h"))) env.npm_config_nodedir = prefix;
  return env;
}

function run(command: string, args: string[], cwd: string, input?: string): string {
  try {
    return execFileSync(command, args, { cwd, input, encoding: "utf8", env: npmEnv(), stdio: "pipe" });
  } catch (error) {
    const { stdout, stderr } = error as { stdout?: string; stderr?: string };
    throw new Error(`${command} ${args.join(" ")} failed in ${cwd}:\n${stdout ?? ""}\n${stderr ?? ""}`);
  }
}

beforeAll(() => {
  // Packed from what `npm run bootstrap` built (rebuilding here would rewrite dist/ under the other tests' feet).
  for (const folder of Object.values(packed))
    if (!existsSync(join(root, folder, "dist/index.js")))
      throw new Error(`${folder} is not built: run \`npm run bootstrap\` (npm test runs it first)`);
  mkdirSync(tarballs);
  for (const folder of Object.values(packed))
    run(bin("pnpm"), ["pack", "--pack-destination", tarballs], join(root, folder));
  mkdirSync(project);
  writeFileSync(join(project, "package.json"), JSON.stringify({ name: "my-bot", private: true, type: "module" }));
  const files = readdirSync(tarballs).map((file) => join(tarballs, file));
  const started = Date.now();
  run("npm", ["install", "--no-audit", "--no-fund", ...files], project);
  // A number for the reader, not an assertion: most of it is compiling better-sqlite3.
  console.log(`npm install of the packed packages took ${Math.round((Date.now() - started) / 1000)}s`);
  copyFileSync(join(root, "examples/embed/bot.mjs"), join(project, "bot.mjs"));
}, 600_000);

describe("the packed packages installed with npm outside the workspace", () => {
  it("carry versions, not workspace ranges, in the installed manifests", () => {
    for (const name of Object.keys(packed)) {
      const manifest = readFileSync(join(project, "node_modules", name, "package.json"), "utf8");
      expect(manifest, name).not.toContain("workspace:");
    }
    const installed = JSON.parse(
      readFileSync(join(project, "node_modules/@switchboard/store-sqlite/package.json"), "utf8"),
    );
    const core = JSON.parse(readFileSync(join(project, "node_modules/@switchboard/core/package.json"), "utf8"));
    expect(installed.dependencies["@switchboard/core"]).toBe(core.version);
  });

  it("run examples/embed/bot.mjs from the installed core and store-sqlite", () => {
    const where = run(
      "node",
      ["--input-type=module", "-e", "console.log(import.meta.resolve('@switchboard/core'))"],
      project,
    );
    expect(where.trim()).toBe(`file://${join(project, "node_modules/@switchboard/core/dist/index.js")}`);
    expectConversation(run("node", ["bot.mjs"], project, conversation));
    expect(existsSync(join(project, "opsbot.db"))).toBe(true);
  });

  it("import every public entry as ESM, the light ./type entry and core's audit internals included", () => {
    const script = [
      "const shellType = await import('@switchboard/adapter-shell/type');",
      "const shell = await import('@switchboard/adapter-shell');",
      "const audit = await import('@switchboard/core/audit');",
      "const testing = await import('@switchboard/testing');",
      "console.log(shellType.shellAdapterType.type, typeof shell.ShellAdapter, Object.keys(audit).length > 0,",
      "  typeof testing.MemoryAdapter);",
    ].join("\n");
    expect(run("node", ["--input-type=module", "-e", script], project).trim()).toBe("shell function true function");
  });

  it("pass npm publish --dry-run (core's tarball; scripts/publish-dry-run.mjs checks every public package)", () => {
    const tarball = readdirSync(tarballs).find((file) => file.startsWith("switchboard-core-"));
    const core = JSON.parse(readFileSync(join(root, "packages/core/package.json"), "utf8"));
    const result = spawnSync("npm", ["publish", "--dry-run", "--ignore-scripts", join(tarballs, String(tarball))], {
      cwd: scratch,
      encoding: "utf8",
      env: npmEnv(),
    });
    expect(result.status, result.stderr).toBe(0);
    expect(result.stderr + result.stdout).toContain(`@switchboard/core@${core.version}`);
    expect(result.stderr + result.stdout).toContain("dist/audit-internals.d.ts");
  });

  it("give TypeScript the packages' types, so a wrong call is a type error", () => {
    writeFileSync(
      join(project, "tsconfig.json"),
      JSON.stringify({
        compilerOptions: {
          module: "nodenext",
          moduleResolution: "nodenext",
          target: "es2022",
          strict: true,
          noEmit: true,
          skipLibCheck: true,
        },
        files: ["check.ts"],
      }),
    );
    writeFileSync(
      join(project, "check.ts"),
      [
        'import { type AuditLog, createBot, defineCommand } from "@switchboard/core";',
        'import * as audit from "@switchboard/core/audit";',
        'import { openSqlite } from "@switchboard/store-sqlite";',
        'import { MemoryAdapter } from "@switchboard/testing";',
        'import { type ShellAdapterConfig, shellAdapterType } from "@switchboard/adapter-shell/type";',
        'import { ShellAdapter } from "@switchboard/adapter-shell";',
        'const { auditLog, store } = openSqlite(":memory:");',
        "const log: AuditLog = auditLog;",
        'const command = defineCommand({ name: "x", summary: "x", handler: () => "x" });',
        'createBot({ name: "typed", auditLog: log, store, commands: [command] });',
        "const type: string = shellAdapterType.type;",
        'const entry: ShellAdapterConfig = { type: "shell", user: "ana" };',
        "// @ts-expect-error the shell entry has no port (types resolved to `any` would let this through)",
        'const wrong: ShellAdapterConfig = { type: "shell", port: 6667 };',
        "export { audit, entry, MemoryAdapter, ShellAdapter, type, wrong };",
        "// @ts-expect-error a command needs a name",
        'defineCommand({ summary: "no name", handler: () => "x" });',
      ].join("\n"),
    );
    run("node", [join(root, "node_modules/typescript/bin/tsc"), "-p", "tsconfig.json"], project);
  });
});
