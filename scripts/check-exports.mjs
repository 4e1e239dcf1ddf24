#!/usr/bin/env node
// Fails on a public export that nothing outside its package uses: for every workspace package, each entry of its
// `exports` (`./dist/X.js` built from src/X.ts) is read for the names it exports, and every other package, app,
// example and benchmark (their tests included; the package's own tests do not count) is read for the names it
// imports from that entry. An export nobody imports is API nobody asked for: remove it, or use it. A package whose
// package.json says `"switchboard": { "apiFor": "…" }` serves programs outside the repository and is not checked.
//   node scripts/check-exports.mjs [root]     exit 1 naming every unused export
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";

const root = process.argv[2] ?? new URL("..", import.meta.url).pathname;

function packageFolders() {
  const dir = join(root, "packages");
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .map((name) => join(dir, name))
    .filter((path) => statSync(path).isDirectory() && existsSync(join(path, "package.json")));
}

function sourceFiles(dir) {
  if (!existsSync(dir)) return [];
  let files = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (["node_modules", "dist", "results"].includes(entry.name) || entry.name.startsWith(".")) continue;
    const path = join(dir, entry.name);
    if (entry.isDirectory()) files = files.concat(sourceFiles(path));
    else if (/\.(m?[jt]s|tsx)$/.test(entry.name)) files.push(path);
  }
  return files;
}

/**
 * Names exported only so that other packages' declaration files can name inferred types: an `export type { … }`
 * right below a comment that says "inferred". Nobody imports them by name, and they are still needed.
 */
function inferredNames(text) {
  const names = new Set();
  for (const match of text.matchAll(/^\/\/[^\n]*\binferred\b[^\n]*\n(?:\/\/[^\n]*\n)*export\s+type\s+\{([^}]*)\}/gm))
    for (const part of match[1].split(",")) if (part.trim()) names.add(part.trim());
  return names;
}

/** Names a module exports with `export { … }`, `export type { … }` and `export const|function|class|… name`. */
function exportedNames(text) {
  const names = new Set();
  for (const match of text.matchAll(/^export\s+(?:type\s+)?\{([^}]*)\}/gm))
    for (const part of match[1].split(",")) {
      const name = part
        .replace(/\btype\s+/, "")
        .split(/\s+as\s+/)
        .pop()
        .trim();
      if (name) names.add(name);
    }
  for (const match of text.matchAll(
    /^export\s+(?:declare\s+)?(?:async\s+)?(?:const|let|function\*?|class|interface|type|enum|abstract\s+class)\s+([A-Za-z_$][\w$]*)/gm,
  ))
    names.add(match[1]);
  return names;
}

/** What `text` imports from `specifier`: the names, or "*" for a namespace import or `export *`. */
function importedNames(text, specifier) {
  const names = new Set();
  const quoted = specifier.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");
  const braces = new RegExp(`(?:import|export)\\s+(?:type\\s+)?\\{([^}]*)\\}\\s*from\\s*["']${quoted}["']`, "g");
  for (const match of text.matchAll(braces))
    for (const part of match[1].split(",")) {
      const name = part
        .replace(/\btype\s+/, "")
        .split(/\s+as\s+/)[0]
        .trim();
      if (name) names.add(name);
    }
  if (new RegExp(`(?:import\\s+\\*\\s+as\\s+\\w+|export\\s+\\*)\\s+from\\s*["']${quoted}["']`).test(text))
    names.add("*");
  // `const { a, b } = await import("…")` uses a and b; `import("…").Type` in a type position uses Type; a bare
  // `await import("…")` kept whole uses everything.
  const dynamic = new RegExp(
    `(?:\\{([^{}]*)\\}\\s*=\\s*await\\s+)?import\\s*\\(\\s*["']${quoted}["']\\s*\\)(\\.(\\w+))?`,
    "g",
  );
  for (const match of text.matchAll(dynamic)) {
    if (match[3]) names.add(match[3]);
    else if (match[1])
      for (const part of match[1].split(",")) {
        const name = part.split(":")[0].trim();
        if (name) names.add(name);
      }
    else names.add("*");
  }
  return names;
}

const folders = packageFolders();
const consumers = ["packages", "apps", "examples", "bench"].flatMap((group) => sourceFiles(join(root, group)));
const texts = new Map(consumers.map((path) => [path, readFileSync(path, "utf8")]));
const problems = [];

for (const folder of folders) {
  const manifest = JSON.parse(readFileSync(join(folder, "package.json"), "utf8"));
  // A library for programs outside this repository (rpc-server) says so: its users' imports are not here to count.
  if (!manifest.name || manifest.private || manifest.switchboard?.apiFor) continue;
  const entries = Object.entries(manifest.exports ?? { ".": { import: "./dist/index.js" } });
  for (const [subpath, target] of entries) {
    const built = /^\.\/dist\/(.+)\.js$/.exec(typeof target === "string" ? target : (target.import ?? ""));
    const source = built && join(folder, "src", `${built[1]}.ts`);
    if (!source || !existsSync(source)) continue;
    const specifier = subpath === "." ? manifest.name : `${manifest.name}/${subpath.slice(2)}`;
    const used = new Set();
    for (const [path, text] of texts) {
      // The package's own files count only when they come in by the front door (a child process of its tests that
      // loads the built package by name); its tests' relative imports do not.
      const own = path.startsWith(`${folder}/`);
      if (own && !text.includes(`"${specifier}"`)) continue;
      for (const name of importedNames(text, specifier)) used.add(name);
    }
    if (used.has("*")) continue;
    const text = readFileSync(source, "utf8");
    const inferred = inferredNames(text);
    for (const name of exportedNames(text))
      if (!used.has(name) && !inferred.has(name))
        problems.push(`${relative(root, source)}: ${name} is exported by ${specifier} but nothing outside uses it`);
  }
}

if (problems.length) {
  console.error(`unused exports (remove them, or keep them inside the package):\n  ${problems.join("\n  ")}`);
  process.exit(1);
}
