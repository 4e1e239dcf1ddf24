#!/usr/bin/env node
// The documented commands work as written right after `npm run quickstart`: the CLI is `./switchboard …` (pnpm is only
// in ./.tools/bin on a fresh machine), one-off tools are `npx …` or `npm run …`. Checks README.md, every package's and
// app's README.md and everything under examples/. Exits 1 naming each line that uses another form.
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

if (problems.length) {
  console.error(`documented commands that do not work as written after the quick start:\n  ${problems.join("\n  ")}`);
  process.exit(1);
}
console.log(`documented commands use ./switchboard in ${docs.length} files`);
