/**
 * Validation of what people type: app and environment names and host lists (git refs: core's `refProblem`). Everything from chat passes
 * through here before any other work, and nothing that fails it ever reaches a process.
 * @module
 */

/** App and environment names: lower-case letters, digits, `-` and `_`, starting with a letter or digit. */
export const NAME_PATTERN = /^[a-z0-9][a-z0-9_-]{0,62}$/;

const HOST_LABEL = "[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?";
const HOST_PATTERN = new RegExp(`^(?=.{1,253}$)${HOST_LABEL}(?:\\.${HOST_LABEL})*$`);

/** Why `name` is not a valid app or environment name, or undefined when it is. */
export function nameProblem(name: string): string | undefined {
  if (NAME_PATTERN.test(name)) return undefined;
  return `"${name}" is not a valid name (lower-case letters, digits, - and _; at most 63 characters)`;
}

/** Why a comma-separated host list is not valid, or undefined when it is. */
export function hostsProblem(hosts: string): string | undefined {
  const list = hosts.split(",");
  if (list.length > 100) return "at most 100 hosts";
  for (const host of list) {
    if (!HOST_PATTERN.test(host)) return `"${printable(host)}" is not a host name (letters, digits, - and .)`;
  }
  return undefined;
}

/** Splits a validated host list. */
export function splitHosts(hosts: string | undefined): string[] {
  return hosts ? hosts.split(",") : [];
}

/** A full commit id from git or GitHub (SHA-1 or SHA-256). */
export function isCommitId(value: string): boolean {
  return /^(?:[0-9a-f]{40}|[0-9a-f]{64})$/.test(value);
}

/** The short form of a commit id for chat. */
export function short(sha: string): string {
  return sha.slice(0, 7);
}

/** Shows control characters (a newline, an escape) visibly in error messages. */
function printable(text: string): string {
  return [...text]
    .map((c) => {
      const code = c.charCodeAt(0);
      return code < 0x20 || code === 0x7f ? `\\x${code.toString(16).padStart(2, "0")}` : c;
    })
    .join("");
}
