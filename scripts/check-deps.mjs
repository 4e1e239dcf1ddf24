#!/usr/bin/env node
// Enforces the package dependency rules of DESIGN.md. Exits 1 naming every violation.
// - core depends on no workspace package; testing and store/adapters/plugins only on core (testing and the private
//   test-servers package as dev dependencies); test-servers only on core, and only ever as a dev dependency;
// - apps/bot may depend on anything; examples and bench only on packages through their public entry; bench's scripts
//   start real and local servers as tests do, so they may import its dev dependencies (@switchboard/test-servers);
// - no import reaches into another package's src/, dist/ or test/, or out of its own folder with "../" (test/
//   folders included: shared test servers come from @switchboard/test-servers);
// - fake servers (a class or function named Fake…), server launchers (a function named start… in a file that runs a
//   program: requireBinary(), or spawn/execFile/exec… of anything but process.execPath) and the shared test helpers
//   (freePort, requireBinary, tempDir, gitEnv, makePng) are defined only in @switchboard/test-servers, never in a
//   package's test/ folder;
// - source files import workspace packages that are dependencies; test files also those that are dev dependencies;
// - commander only in apps/bot, yargs-parser only in core.
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";

const root = process.argv[2] ?? new URL("..", import.meta.url).pathname;
const problems = [];

const folders = ["packages", "apps", "examples", "bench"].flatMap((group) => {
  const dir = join(root, group);
  try {
    return readdirSync(dir)
      .map((name) => join(dir, name))
      .filter(
        (path) => statSync(path).isDirectory() && statSync(join(path, "package.json"), { throwIfNoEntry: false }),
      );
  } catch {
    return [];
  }
});
if (statSync(join(root, "bench/package.json"), { throwIfNoEntry: false })) folders.push(join(root, "bench"));
folders.sort();

/** Private: real servers for tests. Never a runtime dependency of anything. */
const testServers = "@switchboard/test-servers";

function allowedWorkspaceDeps(name, folder) {
  const rel = relative(root, folder);
  if (name === "@switchboard/core") return { runtime: [], dev: [] };
  if (name === "@switchboard/testing" || name === testServers) return { runtime: ["@switchboard/core"], dev: [] };
  if (rel.startsWith("packages/"))
    return { runtime: ["@switchboard/core"], dev: ["@switchboard/testing", testServers] };
  return { runtime: "*", dev: "*" };
}

const onlyIn = { commander: ["apps/bot"], "yargs-parser": ["packages/core"] };

/** Every source file of a package, test/ folders included: `{ path, test }`. */
function sourceFiles(dir, test = false) {
  let out = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (["node_modules", "dist", "results"].includes(entry.name) || entry.name.startsWith(".")) continue;
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out = out.concat(sourceFiles(path, test || entry.name === "test"));
    else if (/\.(m?[jt]s|tsx)$/.test(entry.name) && !/\.config\.m?[jt]s$/.test(entry.name)) out.push({ path, test });
  }
  return out;
}

/** What a file imports: static imports and re-exports (at the start of a line), import(), require(), references. */
const importPatterns = [
  /^[ \t]*(?:import|export)\b[^;]*?\bfrom\s*["']([^"']+)["']/gm,
  /^[ \t]*import\s*["']([^"']+)["']/gm,
  /\bimport\s*\(\s*["']([^"']+)["']\s*\)/g,
  /\brequire\s*\(\s*["']([^"']+)["']\s*\)/g,
  /^[ \t]*\/\/\/\s*<reference\s+path\s*=\s*["']([^"']+)["']/gm,
];
/** A fake server's definition: `class FakeX`, `function FakeX`, `const FakeX =` (exported or not). */
const fakeServerPattern =
  /^[ \t]*(?:export\s+)?(?:default\s+)?(?:class|function\*?|async\s+function|const|let)\s+(Fake[A-Z]\w*)/gm;
/** A definition of one of the shared test helpers (a function, or a variable holding one). */
const sharedHelperPattern =
  /^[ \t]*(?:export\s+)?(?:async\s+)?(?:function\s+|(?:const|let|var)\s+)(freePort|requireBinary|tempDir|gitEnv|makePng)\b/gm;
/** A launcher's name: `function startX`, `const startX = (…) =>` / `= async` / `= function` (exported or not). */
const startFunctionPattern =
  /^[ \t]*(?:export\s+)?(?:default\s+)?(?:(?:async\s+)?function\*?\s+(start[A-Z]\w*)|(?:const|let)\s+(start[A-Z]\w*)\s*(?::[^=]+)?=\s*(?:async\b|function\b|\())/gm;
/**
 * Running a program, as a launcher does: finding a binary with requireBinary, or a child_process call (bare, as the
 * named imports are used; `promisify(execFile)(…)` too) whose program is not `process.execPath` (a Node script
 * started by a test is not a server). `.exec(` of a regular expression is not a call of child_process's exec.
 */
const runsProgramPatterns = [
  /\brequireBinary\s*\(/,
  /(?<![\w$.])(?:spawn|spawnSync|execFile|execFileSync|exec|execSync)\s*\(\s*(?!process\.execPath\b)/,
  /\bpromisify\s*\(\s*(?:execFile|exec)\s*\)\s*\(\s*(?!process\.execPath\b)/,
];
function importsOf(text) {
  return importPatterns.flatMap((pattern) => [...text.matchAll(pattern)].map((match) => match[1]));
}

for (const folder of [...new Set(folders)]) {
  const rel = relative(root, folder) || ".";
  const pkg = JSON.parse(readFileSync(join(folder, "package.json"), "utf8"));
  const allowed = allowedWorkspaceDeps(pkg.name, folder);
  for (const [field, list] of [
    ["dependencies", allowed.runtime],
    ["peerDependencies", allowed.runtime],
    ["devDependencies", allowed.dev === "*" ? "*" : [...allowed.runtime, ...allowed.dev]],
  ]) {
    for (const dep of Object.keys(pkg[field] ?? {})) {
      if (dep === testServers && field !== "devDependencies")
        problems.push(`${rel}: ${field} has ${dep}, which is for tests only (a devDependency)`);
      else if (dep.startsWith("@switchboard/") || dep === "switchboard") {
        if (list !== "*" && !list.includes(dep))
          problems.push(`${rel}: ${field} has ${dep}, which ${pkg.name} may not depend on`);
      }
      for (const [lib, places] of Object.entries(onlyIn)) {
        if (dep === lib && !places.includes(rel)) problems.push(`${rel}: ${lib} belongs only in ${places.join(", ")}`);
      }
    }
  }
  const runtime = new Set(Object.keys({ ...pkg.dependencies, ...pkg.peerDependencies }));
  const declared = new Set([...runtime, ...Object.keys(pkg.devDependencies ?? {})]);
  for (const { path: file, test } of sourceFiles(folder, rel === "bench")) {
    const where = relative(root, file);
    const text = readFileSync(file, "utf8");
    if (test && pkg.name !== testServers) {
      for (const [, name] of text.matchAll(fakeServerPattern))
        problems.push(`${where}: defines ${name}, a fake server; fake servers live in ${testServers}`);
      for (const [, name] of text.matchAll(sharedHelperPattern))
        problems.push(`${where}: defines ${name}, which ${testServers} has; import it from there`);
      if (runsProgramPatterns.some((pattern) => pattern.test(text)))
        for (const [, declared, assigned] of text.matchAll(startFunctionPattern))
          problems.push(
            `${where}: defines ${declared ?? assigned}, which runs a program: a server launcher; server launchers live in ${testServers}`,
          );
    }
    for (const spec of importsOf(text)) {
      if (/^@switchboard\/[^/]+\/(src|dist|test)(\/|$)/.test(spec))
        problems.push(`${where}: imports ${spec}; use the package's public entry`);
      if (spec.startsWith("../")) {
        const target = relative(folder, join(file, "..", spec));
        if (target.startsWith(".."))
          problems.push(
            `${where}: imports ${spec}, outside its package${
              test ? " (import workspace packages by name; shared test servers are in @switchboard/test-servers)" : ""
            }`,
          );
      }
      const name = spec.startsWith("@") ? spec.split("/").slice(0, 2).join("/") : spec.split("/")[0];
      if (/^@switchboard\/[a-z0-9-]+$/.test(name) && name !== pkg.name) {
        if (!declared.has(name)) {
          problems.push(`${where}: imports ${name}, which ${rel}/package.json does not declare`);
        } else if (!test && !runtime.has(name)) {
          problems.push(`${where}: imports ${name}, a dev dependency of ${rel}; only its tests may`);
        }
      }
    }
  }
}

if (problems.length) {
  console.error(`dependency rules broken:\n  ${problems.join("\n  ")}`);
  process.exit(1);
}
console.log(`dependency rules hold for ${folders.length} packages`);
