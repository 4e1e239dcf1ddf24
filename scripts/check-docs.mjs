#!/usr/bin/env node
// The documented commands work as written right after `npm run quickstart`: the CLI is `./switchboard …` (pnpm is only
// in ./.tools/bin on a fresh machine), one-off tools are `npx …` or `npm run …`. Checks README.md, every package's and
// app's README.md and everything under examples/. Exits 1 naming each line that uses another form.
// Adapter and plugin READMEs have the same sections in the same order — a plugin's starts with "Commands"; then
// "Configuration…", "How it can be abused…" and, last, "Tests" (other sections may sit between) — and a plugin's README
// names every permission of its `PERMISSIONS` constant (src/permissions.ts).
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";

const root = process.argv[2] ?? new URL("..", import.meta.url).pathname;

const rules = [
  { pattern: /\bpnpm switchboard\b/, use: "./switchboard …" },
  { pattern: /\bpnpm (?:exec|--filter|run|start|test|install)\b/, use: "npx …, npm run … or npm start/test" },
  // a command, not a mention: at the start of a line, after a pipe or a prompt, or in backticks
  { pattern: /(?<=^\s*|`|\|\s*|\$\s+)switchboard (?:start|shell|config|commands|audit)\b/, use: "./switchboard …" },
];

function files(dir, test = () => true) {
  let out = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === "node_modules" || entry.name === "dist" || entry.name.startsWith(".")) continue;
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out = out.concat(files(path, test));
    else if (test(entry.name)) out.push(path);
  }
  return out;
}

const exists = (path) => statSync(path, { throwIfNoEntry: false }) !== undefined;
const docs = [join(root, "README.md")];
for (const group of ["packages", "apps"]) {
  if (!exists(join(root, group))) continue;
  for (const name of readdirSync(join(root, group))) {
    const readme = join(root, group, name, "README.md");
    if (exists(readme)) docs.push(readme);
  }
}
if (exists(join(root, "examples"))) docs.push(...files(join(root, "examples"), (name) => !name.endsWith(".test.ts")));

const problems = [];
for (const file of docs.filter(exists)) {
  readFileSync(file, "utf8")
    .split("\n")
    .forEach((line, index) => {
      for (const { pattern, use } of rules) {
        const match = pattern.exec(line);
        if (match) problems.push(`${relative(root, file)}:${index + 1}: "${match[0]}" (write ${use})`);
      }
    });
}

const SECTIONS = ["Configuration", "How it can be abused", "Tests"];
for (const name of exists(join(root, "packages")) ? readdirSync(join(root, "packages")) : []) {
  const kind = /^(adapter|plugin)-/.exec(name)?.[1];
  const readme = join(root, "packages", name, "README.md");
  if (!kind || !exists(readme)) continue;
  const text = readFileSync(readme, "utf8");
  const where = relative(root, readme);
  const headings = [...text.matchAll(/^## (.+)$/gm)].map((m) => m[1].trim());
  const wanted = kind === "plugin" ? ["Commands", ...SECTIONS] : SECTIONS;
  const at = wanted.map((section) => headings.findIndex((h) => h.startsWith(section)));
  wanted.forEach((section, i) => {
    if (at[i] < 0) problems.push(`${where}: no "## ${section}…" section`);
    else if (i > 0 && at[i - 1] >= 0 && at[i] < at[i - 1])
      problems.push(`${where}: "## ${headings[at[i]]}" comes before "## ${headings[at[i - 1]]}"`);
  });
  if (kind === "plugin" && at[0] !== 0 && at[0] >= 0) problems.push(`${where}: the first section is not "## Commands"`);
  if (headings.length && headings.at(-1) !== "Tests") problems.push(`${where}: "## Tests" is not the last section`);
  const permissionsFile = join(root, "packages", name, "src", "permissions.ts");
  if (kind === "plugin" && !exists(permissionsFile)) problems.push(`${where}: the plugin has no src/permissions.ts`);
  if (kind === "plugin" && exists(permissionsFile)) {
    const block = /export const PERMISSIONS = \{([\s\S]*?)\} as const;/.exec(readFileSync(permissionsFile, "utf8"));
    if (!block) problems.push(`${relative(root, permissionsFile)}: no \`export const PERMISSIONS = { … } as const\``);
    for (const [, permission] of block?.[1].matchAll(/:\s*"([^"]+)"/g) ?? [])
      if (!text.includes(permission)) problems.push(`${where}: permission ${permission} is not documented`);
  }
}

if (problems.length) {
  console.error(
    `documentation problems (commands as written after the quick start, README sections):\n  ${problems.join("\n  ")}`,
  );
  process.exit(1);
}
console.log(`documented commands use ./switchboard in ${docs.length} files`);
