/**
 * What counts as a valid prefix, method name and parameter name: slugs, so nothing a server sends can be a
 * prototype key, a space, or a command word of another kind.
 * @module
 */

/** An endpoint prefix: one lower-case word. */
export const PREFIX_PATTERN = /^[a-z][a-z0-9_-]{0,31}$/;
/** A method name as the spec describes it (`[a-zA-Z0-9_-]`), at most 64 characters. */
export const METHOD_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/;
/** A parameter name (regex group or `--key`): starts with a letter, so `__proto__` is never one. */
export const PARAM_PATTERN = /^[A-Za-z][A-Za-z0-9_-]{0,63}$/;

/** Method names that are never accepted (a listing naming one is refused). */
export const RESERVED_METHODS = new Set(["help"]);
