#!/usr/bin/env node
// Enforces the package dependency rules of DESIGN.md. Exits 1 naming every violation.
// - core depends on no workspace package; testing and store/adapters/plugins only on core (testing as a dev dependency);
// - apps/bot may depend on anything; examples and bench only on packages through their public entry;
// - no import reaches into another package's src/ or dist/, or out of its own folder with "../";
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

function allowedWorkspaceDeps(name, folder) {
  const rel = relative(root, folder);
  if (name === "@switchboard/core") return { runtime: [], dev: [] };
  if (name === "@switchboard/testing") return { runtime: ["@switchboard/core"], dev: [] };
  if (rel.startsWith("packages/")) return { runtime: ["@switchboard/core"], dev: ["@switchboard/testing"] };
  return { runtime: "*", dev: "*" };
}

const onlyIn = { commander: ["apps/bot"], "yargs-parser": ["packages/core"] };

function sourceFiles(dir) {
  let out = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (["node_modules", "dist", "test", "results"].includes(entry.name) || entry.name.startsWith(".")) continue;
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out = out.concat(sourceFiles(path));
    else if (/\.(m?[jt]s|tsx)$/.test(entry.name) && !/\.config\.m?[jt]s$/.test(entry.name)) out.push(path);
  }
  return out;
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
      if (dep.startsWith("@switchboard/") || dep === "switchboard") {
        if (list !== "*" && !list.includes(dep))
          problems.push(`${rel}: ${field} has ${dep}, which ${pkg.name} may not depend on`);
      }
      for (const [lib, places] of Object.entries(onlyIn)) {
        if (dep === lib && !places.includes(rel)) problems.push(`${rel}: ${lib} belongs only in ${places.join(", ")}`);
      }
    }
  }
  const declared = new Set(Object.keys({ ...pkg.dependencies, ...pkg.devDependencies, ...pkg.peerDependencies }));
  for (const file of sourceFiles(folder)) {
    const text = readFileSync(file, "utf8");
    for (const match of text.matchAll(/(?:from\s+|import\s*\(\s*|require\(\s*)["']([^"']+)["']/g)) {
      const spec = match[1];
      const where = relative(root, file);
      if (/^@switchboard\/[^/]+\/(src|dist)(\/|$)/.test(spec))
        problems.push(`${where}: imports ${spec}; use the package's public entry`);
      if (spec.startsWith("../")) {
        const target = relative(folder, join(file, "..", spec));
        if (target.startsWith("..")) problems.push(`${where}: imports ${spec}, outside its package`);
      }
      const name = spec.startsWith("@") ? spec.split("/").slice(0, 2).join("/") : spec.split("/")[0];
      if (/^@switchboard\/[a-z0-9-]+$/.test(name) && name !== pkg.name && !declared.has(name)) {
        problems.push(`${where}: imports ${name}, which ${rel}/package.json does not declare`);
      }
    }
  }
}

if (problems.length) {
  console.error(`dependency rules broken:\n  ${problems.join("\n  ")}`);
  process.exit(1);
}
console.log(`dependency rules hold for ${folders.length} packages`);
