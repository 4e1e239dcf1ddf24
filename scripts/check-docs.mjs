#!/usr/bin/env node
// The documented commands work as written right after `npm run quickstart`: the CLI is `./switchboard …` (pnpm is only
// in ./.tools/bin on a fresh machine), one-off tools are `npx …` or `npm run …`. And what the docs name exists: every
// `./switchboard <command>` is a command of apps/bot/src/cli.ts, every `section.key` in backticks a key of the
// generated docs/reference/configuration.md, every chat command written `!name args` (in backticks, or at the start of a
// line of a text block, in the user's pages) a command of the generated docs/reference/permissions.md, every adapter `- type: x` under
// `adapters:` an adapter type there, every
// audit event named in prose or in an `audit tail` sample one that the current version writes
// (packages/core/src/audit/audit.ts), and every key of a YAML example of a switchboard configuration (a ```yaml block or an
// examples/*.yaml file with at least one top-level key of the file) one of the generated reference. Checks README.md, CHANGELOG.md, docs/, every package's and app's README.md and
// everything under examples/ of the folder given (default: this repository; what exists is always read from this
// repository). Exits 1 naming each line.
import { readdirSync, readFileSync, statSync } from "node:fs";
import { createRequire } from "node:module";
import { join, relative } from "node:path";

const repo = new URL("..", import.meta.url).pathname;
const root = process.argv[2] ?? repo;

const rules = [
  { pattern: /\bpnpm switchboard\b/, use: "./switchboard …" },
  { pattern: /\bpnpm (?:exec|--filter|run|start|test|install)\b/, use: "npx …, npm run … or npm start/test" },
  // a command, not a mention: at the start of a line, after a pipe or a prompt, or in backticks
  {
    pattern: /(?<=^\s*|`|\|\s*|\$\s+)switchboard (?:start|shell|config|commands|audit|backup|log)\b/,
    use: "./switchboard …",
  },
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
const docs = [join(root, "README.md"), join(root, "CHANGELOG.md")];
if (exists(join(root, "docs"))) docs.push(...files(join(root, "docs"), (name) => name.endsWith(".md")));
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

// What exists, read from this repository.
const cliSource = readFileSync(join(repo, "apps/bot/src/cli.ts"), "utf8");
const groups = new Map([["program", ""]]);
for (const [, variable, name] of cliSource.matchAll(/const (\w+) = program\.command\("([^"]+)"\)/g))
  groups.set(variable, name);
const cliCommands = new Set([...groups.values()].filter(Boolean));
for (const [, variable, name] of cliSource.matchAll(/\b(\w+)\s*\.command\("([^"]+)"\)/g)) {
  const group = groups.get(variable);
  if (group !== undefined) cliCommands.add(group ? `${group} ${name}` : name);
}
const reference = readFileSync(join(repo, "docs/reference/configuration.md"), "utf8");
const fileKeys = new Set(
  [...reference.slice(0, reference.indexOf("## Adapters")).matchAll(/^\| `([^`]+)`/gm)].map(([, key]) => key),
);
const adapterTypes = new Set([...reference.matchAll(/^### `type: ([a-z0-9-]+)`/gm)].map(([, type]) => type));
const chatCommands = new Set(
  [...readFileSync(join(repo, "docs/reference/permissions.md"), "utf8").matchAll(/^\| `([^`]+)`/gm)].map(
    ([, name]) => name.split(" ")[0],
  ),
);
// Commands that services bring over ChatOps RPC exist only at run time: their prefixes, as the examples name them.
for (const name of readdirSync(join(repo, "examples")).filter((n) => n.endsWith(".yaml")))
  for (const [, prefix] of readFileSync(join(repo, "examples", name), "utf8").matchAll(
    /^\s+prefix: ([a-z][a-z0-9-]*)/gm,
  ))
    chatCommands.add(prefix);
const auditSource = readFileSync(join(repo, "packages/core/src/audit/audit.ts"), "utf8");
const union = /export type AuditEvent =([^;]+);/.exec(auditSource)[1];
// Names that look like configuration keys but are the embedding API or event topics.
const notConfig = new Set(["bot.events", "audit.appended"]);
const legacy = new Set(["received", "decision", "started"]); // earlier versions wrote these; they still display
const auditEvents = new Set([...union.matchAll(/"([a-z-]+)"/g)].map(([, e]) => e).filter((e) => !legacy.has(e)));

// Keys of the generated reference, per section: the file, each adapter type, each plugin. A "map" takes any keys.
const sections = new Map();
let section = "file";
for (const line of reference.split("\n")) {
  const adapter = /^### `type: ([a-z0-9-]+)`/.exec(line);
  const plugin = /^### `plugins\.([a-z0-9-]+)`/.exec(line);
  if (adapter) section = `adapters[type: ${adapter[1]}]`;
  if (plugin) section = `plugins.${plugin[1]}`;
  const row = /^\| `([^`]+)` +\| ([^|]+?) +\|/.exec(line);
  if (!row) continue;
  const pattern = row[1]
    .split(/(<name>|\[\])/)
    .map((part) =>
      part === "<name>" ? "[^.\\[]+" : part === "[]" ? "\\[\\]" : part.replace(/[.*+?^${}()|\\]/g, "\\$&"),
    )
    .join("");
  if (!sections.has(section)) sections.set(section, []);
  sections.get(section).push({ re: new RegExp(`^${pattern}$`), open: row[2] === "map" });
}
const topLevel = new Set([...fileKeys].filter((key) => !key.includes(".") && !key.includes("[")));
topLevel.add("adapters").add("plugins");

/** Problems with the keys of one parsed YAML example: each key path not in the reference (`section: path`). */
function yamlKeyProblems(doc) {
  const found = [];
  const known = (where, path) => {
    const rows = sections.get(where) ?? [];
    const text = path.join(".").replaceAll(".[]", "[]");
    if (rows.some((row) => row.re.test(text))) return true;
    for (let i = path.length - 1; i > 0; i--) {
      const prefix = path.slice(0, i).join(".").replaceAll(".[]", "[]");
      if (rows.some((row) => row.open && row.re.test(prefix))) return true;
    }
    return false;
  };
  const walk = (node, path, where) => {
    if (Array.isArray(node)) {
      for (const item of node) walk(item, [...path, "[]"], where);
      return;
    }
    if (!node || typeof node !== "object") return;
    for (const [key, value] of Object.entries(node)) {
      if (where === "file" && path.length === 0 && key === "adapters" && Array.isArray(value)) {
        for (const entry of value) {
          if (!entry || typeof entry.type !== "string" || !sections.has(`adapters[type: ${entry.type}]`)) continue;
          walk(entry, [], `adapters[type: ${entry.type}]`);
        }
        continue;
      }
      if (where === "file" && path.length === 0 && key === "plugins" && value && typeof value === "object") {
        for (const [plugin, config] of Object.entries(value))
          if (sections.has(`plugins.${plugin}`)) walk(config, [], `plugins.${plugin}`);
        continue;
      }
      const next = [...path, key];
      if (!known(where, next))
        found.push(`${where === "file" ? "" : `${where}: `}${next.join(".").replaceAll(".[]", "[]")}`);
      else walk(value, next, where);
    }
  };
  walk(doc, [], "file");
  return found;
}
const { parse: parseYaml } = createRequire(join(repo, "apps/bot/package.json"))("yaml");
/** Checks a YAML text when it is a switchboard configuration (some top-level key of the file), else nothing. */
function checkYaml(text, where) {
  let doc;
  try {
    doc = parseYaml(text);
  } catch {
    return; // not YAML, or a fragment with placeholders
  }
  if (!doc || typeof doc !== "object" || !Object.keys(doc).some((key) => topLevel.has(key))) return;
  for (const key of yamlKeyProblems(doc))
    problems.push(`${where}: configuration key "${key}" does not exist (see docs/reference/configuration.md)`);
}

for (const file of docs.filter(exists)) {
  const name = relative(root, file);
  if (file.endsWith(".yaml") || file.endsWith(".yml")) checkYaml(readFileSync(file, "utf8"), name);
  else {
    let block;
    readFileSync(file, "utf8")
      .split("\n")
      .forEach((line, index) => {
        if (block === undefined && /^```ya?ml\s*$/.test(line)) block = { start: index + 2, lines: [] };
        else if (block !== undefined && line.startsWith("```")) {
          checkYaml(block.lines.join("\n"), `${name}:${block.start}`);
          block = undefined;
        } else block?.lines.push(line);
      });
  }
  const lines = readFileSync(file, "utf8").split("\n");
  let adaptersIndent = -1;
  let textBlock = false;
  // Chat commands are checked in the user's pages (README, docs/, the CLI's README, examples), not in the packages'
  // developer READMEs, whose examples define commands of their own; aliases a page defines (`alias add dp = …`) count.
  const userPage = !relative(root, file).startsWith("packages/");
  const aliases = new Set([...lines.join("\n").matchAll(/\balias (?:add )?([a-z][a-z0-9-]*) =/g)].map(([, n]) => n));
  lines.forEach((line, index) => {
    const where = `${name}:${index + 1}`;
    if (line.startsWith("```")) textBlock = !textBlock && line.startsWith("```text");
    const said = [...line.matchAll(/`!([a-z][a-z-]*) [^`]*`/g)].map(([, word]) => word);
    const typed = textBlock ? /^!([a-z][a-z-]*)(?:\s|$)/.exec(line.trim()) : null;
    if (typed) said.push(typed[1]);
    for (const word of userPage ? said : [])
      if (!chatCommands.has(word) && !aliases.has(word))
        problems.push(`${where}: chat command "!${word}" does not exist (see docs/reference/permissions.md)`);
    for (const [, first, second] of line.matchAll(/\.\/switchboard ([a-z][a-z-]*)(?: ([a-z][a-z-]*))?/g)) {
      const pair = second ? `${first} ${second}` : first;
      if (!cliCommands.has(first))
        problems.push(
          `${where}: "./switchboard ${first}" is not a command (commands: ${[...cliCommands].filter((c) => !c.includes(" ")).join(", ")})`,
        );
      else if (
        groups.has(Object.keys(Object.fromEntries(groups)).find((v) => groups.get(v) === first) ?? "") &&
        second &&
        !cliCommands.has(pair)
      )
        problems.push(`${where}: "./switchboard ${pair}" is not a command`);
    }
    for (const [, key] of line.matchAll(/`((?:bot|store|log|audit)\.[A-Za-z][A-Za-z.]*)`/g)) {
      if (notConfig.has(key) || /\.(?:m?js|ts)$/.test(key)) continue;
      if (!fileKeys.has(key))
        problems.push(`${where}: configuration key "${key}" does not exist (see docs/reference/configuration.md)`);
    }
    // Adapter types in YAML: "- type: x" directly under an "adapters:" key.
    const indent = line.length - line.trimStart().length;
    if (/^\s*(#\s*)?adapters:\s*(#.*)?$/.test(line)) adaptersIndent = indent;
    else if (
      adaptersIndent >= 0 &&
      line.trim() &&
      !line.trimStart().startsWith("#") &&
      indent <= adaptersIndent &&
      !line.trimStart().startsWith("-")
    )
      adaptersIndent = -1;
    const item = /^\s*-\s*(?:\{\s*)?type:\s*([a-z0-9-]+)/.exec(line);
    if (item && adaptersIndent >= 0 && !adapterTypes.has(item[1]))
      problems.push(`${where}: adapter type "${item[1]}" does not exist (types: ${[...adapterTypes].join(", ")})`);
    for (const [, named, after] of line.matchAll(/`([a-z][a-z-]*)` events?\b|\bevents? `([a-z][a-z-]*)`/g)) {
      const event = named ?? after;
      if (event && !auditEvents.has(event) && !/earlier versions/.test(line))
        problems.push(
          `${where}: audit event "${event}" is not one this version writes (events: ${[...auditEvents].join(", ")})`,
        );
    }
    // An `audit tail` sample line: "#12  2025-11-25 22:15:03  k7m2p  outcome  …".
    const sample = /^#\d+\s+\d{4}-\d\d-\d\d \S+\s+\S+\s+([a-z-]+)\s/.exec(line);
    if (sample && !auditEvents.has(sample[1]))
      problems.push(`${where}: audit event "${sample[1]}" in a sample is not one this version writes`);
  });
}

if (problems.length) {
  console.error(
    `documented commands, keys, adapter types or audit events that do not work or exist:\n  ${problems.join("\n  ")}`,
  );
  process.exit(1);
}
console.log(`documented commands, keys, adapter types and audit events exist (${docs.length} files)`);
