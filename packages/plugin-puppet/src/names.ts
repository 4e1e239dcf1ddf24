/**
 * Validation of what people type (environments, hosts, globs). Branches and the branch → Puppet environment rule
 * are core's (`refProblem`, `puppetEnvironmentFor`), shared with the deploy plugin.
 * Everything from chat passes through here before any other work; nothing that fails it reaches a process.
 * @module
 */

/** Puppet environment names: what Puppet itself accepts (`[a-z0-9_]`), at most 100 characters. */
export const ENVIRONMENT_PATTERN = /^[a-z0-9_]{1,100}$/;

const HOST_LABEL = "[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?";
/** Host names in the inventory: DNS labels separated by dots, at most 253 characters, never starting with `-`. */
export const HOST_PATTERN = new RegExp(`^(?=.{1,253}$)${HOST_LABEL}(?:\\.${HOST_LABEL})*$`);
/** A glob over inventory host names: the host name characters plus `*` and `?`, with at least one of those. */
const GLOB_PATTERN = /^(?=.*[*?])[A-Za-z0-9*?][A-Za-z0-9.*?-]{0,252}$/;
/** Group names: lower-case letters, digits, `-` and `_`. */
export const GROUP_PATTERN = /^[a-z0-9][a-z0-9_-]{0,62}$/;

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
