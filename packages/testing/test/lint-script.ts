/**
 * For the control tests of the repository's lint scripts (scripts/check-*.mjs): a throwaway workspace made of the
 * given files, and the script's verdict on it.
 */
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** The repository this test file lives in. */
export const repoRoot = new URL("../../..", import.meta.url).pathname;

/** A temporary folder holding `files` (path → content). */
export function workspace(files: Record<string, string>, prefix = "lint-"): string {
  const root = mkdtempSync(join(tmpdir(), prefix));
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(join(root, path, ".."), { recursive: true });
    writeFileSync(join(root, path), content);
  }
  return root;
}

/** Runs `scripts/<script>` on `root`: passed or not, and what it printed (stdout when it passed, stderr when not). */
export function runLintScript(script: string, root: string): { ok: boolean; output: string } {
  const checker = join(repoRoot, "scripts", script);
  try {
    return { ok: true, output: execFileSync("node", [checker, root], { encoding: "utf8", stdio: "pipe" }) };
  } catch (error) {
    return { ok: false, output: String((error as { stderr: string }).stderr) };
  }
}
