/**
 * Names typed in chat: component keys and incident ids, checked before they reach a store key or a URL path.
 * @module
 */

/** A component key: lower-case letters, digits, `-` and `_`. */
export const KEY_PATTERN = /^[a-z0-9][a-z0-9_-]{0,62}$/;

/** An incident id: the bot's numbers, or Statuspage's ids (letters and digits). */
export const INCIDENT_ID_PATTERN = /^#?[A-Za-z0-9]{1,32}$/;

/** The value of an own key of `map` (so `constructor` or `__proto__` are unknown names, not prototype members). */
export function ownValue<T>(map: Record<string, T>, key: string): T | undefined {
  return Object.hasOwn(map, key) ? map[key] : undefined;
}

/** Why `id` is not an incident id, or undefined. */
export function incidentIdProblem(id: string): string | undefined {
  return INCIDENT_ID_PATTERN.test(id) ? undefined : `"${JSON.stringify(id).slice(1, -1)}" is not an incident id`;
}
