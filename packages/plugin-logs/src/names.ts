/**
 * Validation of the names people type (services, hosts, groups, globs) and of configured names. Everything from chat
 * passes through here before any lookup; nothing that fails it reaches a process.
 * @module
 */

const HOST_LABEL = "[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?";
/** Host names: DNS labels separated by dots, at most 253 characters, never starting with `-`. */
export const HOST_PATTERN = new RegExp(`^(?=.{1,253}$)${HOST_LABEL}(?:\\.${HOST_LABEL})*$`);
/** A glob over host names: host name characters plus `*` and `?`, with at least one of those. */
const GLOB_PATTERN = /^(?=.*[*?])[A-Za-z0-9*?][A-Za-z0-9.*?-]{0,252}$/;
/** Group names: lower-case letters, digits, `-` and `_`. */
export const GROUP_PATTERN = /^[a-z0-9][a-z0-9_-]{0,62}$/;
/** Service names: lower-case letters, digits, `-` and `_`. */
export const SERVICE_PATTERN = /^[a-z0-9][a-z0-9_-]{0,62}$/;
/** systemd unit names (no `\` escapes), never starting with `-`. */
export const UNIT_PATTERN = /^[A-Za-z0-9@_:][A-Za-z0-9@_.:-]{0,255}$/;

/** Whether a target word is a glob (`fe*`, `db?`) rather than a host or group name. */
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

/** Why a target word (host, group, glob, all) cannot be one, or undefined when it can. */
export function targetProblem(word: string): string | undefined {
  if (word === "all") return undefined;
  if (isGlob(word)) return globProblem(word);
  if (HOST_PATTERN.test(word) || GROUP_PATTERN.test(word)) return undefined;
  return `"${printable(word)}" is not a host, group or glob (letters, digits, - . _ and * ?)`;
}

/** A glob as an anchored regular expression (every character other than `*` and `?` matched literally). */
export function globRegExp(glob: string): RegExp {
  const body = [...glob]
    .map((c) => (c === "*" ? ".*" : c === "?" ? "." : c.replace(/[.\\^$|+()[\]{}-]/g, "\\$&")))
    .join("");
  return new RegExp(`^${body}$`, "i");
}

/** Shows control characters visibly, and caps the length, for messages about bad input. */
export function printable(text: string, max = 80): string {
  const shown = [...text]
    .map((c) => {
      const code = c.charCodeAt(0);
      return code < 0x20 || code === 0x7f ? `\\x${code.toString(16).padStart(2, "0")}` : c;
    })
    .join("");
  return shown.length > max ? `${shown.slice(0, max)}…` : shown;
}
