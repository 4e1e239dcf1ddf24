/**
 * Validation of what people type (environments, branches, hosts, globs) and the branch → Puppet environment rule.
 * Everything from chat passes through here before any other work; nothing that fails it reaches a process.
 * @module
 */

/** Puppet environment names: what Puppet itself accepts (`[a-z0-9_]`), at most 100 characters. */
export const ENVIRONMENT_PATTERN = /^[a-z0-9_]{1,100}$/;

const REF_CHARS = /^[A-Za-z0-9._/+-]+$/;
const HOST_LABEL = "[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?";
/** Host names in the inventory: DNS labels separated by dots, at most 253 characters, never starting with `-`. */
export const HOST_PATTERN = new RegExp(`^(?=.{1,253}$)${HOST_LABEL}(?:\\.${HOST_LABEL})*$`);
/** A glob over inventory host names: the host name characters plus `*` and `?`, with at least one of those. */
const GLOB_PATTERN = /^(?=.*[*?])[A-Za-z0-9*?][A-Za-z0-9.*?-]{0,252}$/;
/** Group names: lower-case letters, digits, `-` and `_`. */
export const GROUP_PATTERN = /^[a-z0-9][a-z0-9_-]{0,62}$/;

/**
 * Why `ref` is not an acceptable branch or environment name, or undefined when it is. Git's ref-name rules,
 * restricted to letters, digits and `. _ / + -`, never starting with `-` (so it cannot be read as an option).
 * The same rule as `@switchboard/plugin-deploy`'s refProblem (packages/plugin-deploy/src/names.ts).
 */
export function refProblem(ref: string): string | undefined {
  if (ref.length === 0 || ref.length > 200) return "a branch or environment name has 1 to 200 characters";
  if (ref.startsWith("-")) return `"${printable(ref)}" starts with "-"; a branch may not look like an option`;
  if (!REF_CHARS.test(ref)) return `"${printable(ref)}" may contain only letters, digits and . _ / + -`;
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
 * The Puppet environment a branch (or an environment name) stands for, as the deploy plugin names it
 * (examples/deploy/puppet-environment.sh, run by `@switchboard/plugin-deploy`'s command provider):
 * the production branch becomes `production`; any other branch its own name, lower-cased, with every character
 * other than `[a-z0-9_]` replaced by `_` (`gh13` → `gh13`, `feature/Fix-1` → `feature_fix_1`). An environment name
 * maps to itself. Throws nothing: call {@link refProblem} first.
 */
export function environmentFor(ref: string, productionBranch: string): string {
  if (ref === productionBranch) return "production";
  return ref.toLowerCase().replace(/[^a-z0-9_]/g, "_");
}

/** Why `host` is not a valid host name, or undefined when it is. */
export function hostProblem(host: string): string | undefined {
  return HOST_PATTERN.test(host) ? undefined : `"${printable(host)}" is not a host name (letters, digits, - and .)`;
}

/** Whether a target word is a glob (`fs*`, `db?`) rather than a host or group name. */
export function isGlob(word: string): boolean {
  return word.includes("*") || word.includes("?");
}

/** Why `glob` is not an acceptable glob, or undefined when it is. */
export function globProblem(glob: string): string | undefined {
  if (!GLOB_PATTERN.test(glob))
    return `"${printable(glob)}" is not a host glob (host name characters with * and ?, not starting with -)`;
  if (/^[*?]+$/.test(glob)) return `"${glob}" matches every host; say "all" if you mean every host`;
  return undefined;
}

/** A glob as an anchored regular expression (every character other than `*` and `?` matched literally). */
export function globRegExp(glob: string): RegExp {
  const body = [...glob]
    .map((c) => (c === "*" ? ".*" : c === "?" ? "." : c.replace(/[.\\^$|+()[\]{}-]/g, "\\$&")))
    .join("");
  return new RegExp(`^${body}$`, "i");
}

/** The short form of a commit id or configuration version for chat. */
export function shortVersion(version: string): string {
  return /^[0-9a-f]{40}([0-9a-f]{24})?$/.test(version) ? version.slice(0, 7) : version;
}

/** Shows control characters (a newline, an escape) visibly, and caps the length, for messages about bad input. */
export function printable(text: string, max = 80): string {
  const shown = [...text]
    .map((c) => {
      const code = c.charCodeAt(0);
      return code < 0x20 || code === 0x7f ? `\\x${code.toString(16).padStart(2, "0")}` : c;
    })
    .join("");
  return shown.length > max ? `${shown.slice(0, max)}…` : shown;
}
