/**
 * The one rule for git refs typed in chat, and the one branch → Puppet environment naming. Both the deploy and the
 * puppet plugin use these, so a branch the deploy plugin accepts (and names an environment after) is the branch the
 * puppet plugin accepts and finds under the same name.
 * @module
 */

const REF_CHARS = /^[A-Za-z0-9._/+-]+$/;

/**
 * Why `ref` is not an acceptable git ref (a branch, a tag, an environment name), or undefined when it is. Git's
 * ref-name rules (`git check-ref-format`), restricted further to letters, digits and `. _ / + -`, and never starting
 * with `-` (so it cannot be read as an option such as `--upload-pack=…`).
 */
export function refProblem(ref: string): string | undefined {
  if (ref.length === 0 || ref.length > 200) return "a ref has 1 to 200 characters";
  if (ref.startsWith("-")) return `"${visible(ref)}" starts with "-"; a ref may not look like an option`;
  if (!REF_CHARS.test(ref)) return `"${visible(ref)}" may contain only letters, digits and . _ / + -`;
  if (ref.startsWith("/") || ref.endsWith("/") || ref.includes("//")) return `"${ref}" has an empty path component`;
  if (ref.includes("..")) return `"${ref}" contains ".."`;
  if (ref.endsWith(".")) return `"${ref}" ends with "."`;
  for (const part of ref.split("/")) {
    if (part.startsWith(".")) return `"${ref}" has a component starting with "."`;
    if (part.endsWith(".lock")) return `"${ref}" has a component ending with ".lock"`;
  }
  return undefined;
}

/**
 * The Puppet environment a branch stands for: the production branch becomes `production`; any other branch its own
 * name, lower-cased, with every character other than `[a-z0-9_]` replaced by `_` (`gh13` → `gh13`, `feature/Fix-1`
 * → `feature_fix_1`). An environment name maps to itself. Call {@link refProblem} first.
 */
export function puppetEnvironmentFor(ref: string, productionBranch: string): string {
  if (ref === productionBranch) return "production";
  return ref.toLowerCase().replace(/[^a-z0-9_]/g, "_");
}

/** Shows control characters visibly and caps the length, for messages about bad input. */
function visible(text: string, max = 80): string {
  const shown = [...text]
    .map((c) => {
      const code = c.charCodeAt(0);
      return code < 0x20 || code === 0x7f ? `\\x${code.toString(16).padStart(2, "0")}` : c;
    })
    .join("");
  return shown.length > max ? `${shown.slice(0, max)}…` : shown;
}
