#!/usr/bin/env node
// What `npm publish` would upload, checked without uploading: packs every public package of the workspace with
// pnpm (which turns `workspace:*` into the version) and checks each tarball: no `workspace:` range left, README and
// LICENSE inside, every file `main`, `types`, `bin` and each `exports` entry names is inside, and
// `npm publish --dry-run <tarball>` passes. Private packages (test-servers, examples, bench) are listed as skipped.
// Needs built packages (npm run build).
//   node scripts/publish-dry-run.mjs                  every public package
//   node scripts/publish-dry-run.mjs @switchboard/core …   only these
// Exits 1 naming every problem.
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";

const root = new URL("..", import.meta.url).pathname;
const only = process.argv.slice(2);
const pnpm = join(root, "node_modules/.bin/pnpm");

const folders = ["packages", "apps", "examples"]
  .flatMap((group) => readdirSync(join(root, group)).map((name) => join(root, group, name)))
  .concat(join(root, "bench"))
  .filter((folder) => existsSync(join(folder, "package.json")));

/** Every file a manifest points at: main, types, bin and the targets of each `exports` entry. */
function entryFiles(manifest) {
  const targets = [manifest.main, manifest.types];
  const bins = typeof manifest.bin === "string" ? [manifest.bin] : Object.values(manifest.bin ?? {});
  const walk = (value) => {
    if (typeof value === "string") targets.push(value);
    else if (value && typeof value === "object") Object.values(value).forEach(walk);
  };
  walk(manifest.exports);
  return [...targets, ...bins].filter(Boolean).map((path) => path.replace(/^\.\//, ""));
}

const problems = [];
const scratch = mkdtempSync(join(tmpdir(), "switchboard-publish-"));
try {
  for (const folder of folders) {
    const manifest = JSON.parse(readFileSync(join(folder, "package.json"), "utf8"));
    if (only.length && !only.includes(manifest.name)) continue;
    if (manifest.private) {
      console.log(`skipped ${manifest.name} (private)`);
      continue;
    }
    const where = relative(root, folder);
    const out = mkdtempSync(join(scratch, "pack-"));
    execFileSync(pnpm, ["pack", "--pack-destination", out], { cwd: folder, stdio: "pipe" });
    const tarball = join(out, readdirSync(out)[0]);
    const listing = execFileSync("tar", ["-tzf", tarball], { encoding: "utf8" })
      .split("\n")
      .filter(Boolean)
      .map((path) => path.replace(/^package\//, ""));
    const packed = JSON.parse(execFileSync("tar", ["-xOzf", tarball, "package/package.json"], { encoding: "utf8" }));
    const ranges = ["dependencies", "peerDependencies", "optionalDependencies"].flatMap((field) =>
      Object.entries(packed[field] ?? {}).filter(([, range]) => String(range).startsWith("workspace:")),
    );
    for (const [dep, range] of ranges) problems.push(`${where}: ${dep} is still "${range}" in the packed package.json`);
    for (const file of ["README.md", "LICENSE", ...entryFiles(packed)]) {
      if (!listing.includes(file)) problems.push(`${where}: ${file} is missing from the tarball`);
    }
    if (packed.publishConfig?.access !== "public") problems.push(`${where}: publishConfig.access is not "public"`);
    try {
      execFileSync("npm", ["publish", "--dry-run", "--ignore-scripts", tarball], { cwd: out, stdio: "pipe" });
    } catch (error) {
      problems.push(`${where}: npm publish --dry-run failed:\n${String(error.stderr ?? error).trim()}`);
    }
    console.log(`checked ${packed.name}@${packed.version} (${listing.length} files)`);
  }
} finally {
  rmSync(scratch, { recursive: true, force: true });
}

if (problems.length) {
  console.error(`not publishable:\n  ${problems.join("\n  ")}`);
  process.exit(1);
}
