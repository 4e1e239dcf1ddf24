/**
 * Names typed in chat: backends, servers, sites and instances. HAProxy's runtime API is line-based (a newline or a
 * `;` starts another command), so a name is letters, digits, `.`, `_` and `-` only, and is also checked against the
 * live server list before anything is sent.
 * @module
 */

/** A backend or server name as HAProxy allows it, restricted to what cannot change the meaning of a command line. */
export const NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

/** A site or instance name in the configuration. */
export const CONFIG_NAME_PATTERN = /^[a-z0-9][a-z0-9_-]{0,62}$/;

/** What a name looks like when shown back (control characters made visible, never sent anywhere). */
export function printable(text: string): string {
  return JSON.stringify(text).slice(1, -1);
}

/** Why `name` is not a valid backend or server name, or undefined when it is. */
export function nameProblem(name: string): string | undefined {
  if (NAME_PATTERN.test(name)) return undefined;
  return `"${printable(name)}" is not a backend or server name (letters, digits, . _ and -; at most 64 characters)`;
}

/** The value of an own key of `map` (so `constructor` or `__proto__` are unknown names, not prototype members). */
export function ownValue<T>(map: Record<string, T>, key: string): T | undefined {
  return Object.hasOwn(map, key) ? map[key] : undefined;
}
