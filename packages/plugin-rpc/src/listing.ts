/**
 * Reading a listing: version 3 (or none), every method a slug with a regex RE2 accepts, parameter names slugs,
 * paths relative. A listing with any problem is refused as a whole, naming every problem.
 * @module
 */

import { METHOD_PATTERN, PARAM_PATTERN, RESERVED_METHODS } from "./names.js";
import { compileMethodPattern, leadingWord, type MethodPattern } from "./regex.js";

/** Most methods one listing may have. */
export const MAX_METHODS = 200;

/** One method of a listing, ready to become a command. */
export interface ListedMethod {
  /** The method name as the server spells it (sent as `method`). */
  name: string;
  /** Lower-case: the second word of the command. */
  word: string;
  help: string | undefined;
  path: string;
  pattern: MethodPattern;
  /** The pattern's literal first word, when it differs from the method name (typed instead of the name). */
  alias: string | undefined;
}

/** A validated listing. */
export interface Listing {
  namespace: string | undefined;
  help: string | undefined;
  errorResponse: string | undefined;
  methods: ListedMethod[];
}

/** Thrown for a listing that is refused; `problems` are one line each. */
export class ListingError extends Error {
  constructor(readonly problems: string[]) {
    super(`listing refused: ${problems.join("; ")}`);
    this.name = "ListingError";
  }
}

const text = (value: unknown, max: number): string | undefined =>
  typeof value === "string" && value.trim() !== "" ? value.slice(0, max) : undefined;

/** Validates a listing document. Throws {@link ListingError}. */
export function readListing(raw: unknown): Listing {
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) throw new ListingError(["not a JSON object"]);
  const doc = raw as Record<string, unknown>;
  const problems: string[] = [];
  if (doc.version !== undefined && doc.version !== 3 && doc.version !== "3")
    problems.push(`version ${JSON.stringify(doc.version)} is not supported (only 3)`);
  const methodsRaw = doc.methods;
  if (typeof methodsRaw !== "object" || methodsRaw === null || Array.isArray(methodsRaw))
    throw new ListingError([...problems, "methods is not an object"]);
  const entries = Object.entries(methodsRaw as Record<string, unknown>);
  if (entries.length > MAX_METHODS) throw new ListingError([`more than ${MAX_METHODS} methods`]);
  const methods: ListedMethod[] = [];
  const words = new Map<string, string>();
  for (const [name, value] of entries) {
    const where = `method "${name.slice(0, 70)}"`;
    if (!METHOD_PATTERN.test(name)) {
      problems.push(`${where}: the name is not a slug (letters, digits, - and _)`);
      continue;
    }
    const word = name.toLowerCase();
    if (RESERVED_METHODS.has(word)) {
      problems.push(`${where}: "${word}" is reserved`);
      continue;
    }
    if (words.has(word)) {
      problems.push(`${where}: same name as method "${words.get(word)}" (names are not case-sensitive in chat)`);
      continue;
    }
    words.set(word, name);
    if (typeof value !== "object" || value === null) {
      problems.push(`${where}: not an object`);
      continue;
    }
    const m = value as Record<string, unknown>;
    if (typeof m.regex !== "string" || m.regex === "") {
      problems.push(`${where}: no regex`);
      continue;
    }
    let pattern: MethodPattern;
    try {
      pattern = compileMethodPattern(m.regex);
    } catch (error) {
      problems.push(`${where}: ${(error as Error).message}`);
      continue;
    }
    const badGroup = pattern.groups.find((g) => !PARAM_PATTERN.test(g));
    if (badGroup !== undefined) {
      problems.push(`${where}: parameter "${badGroup}" is not a name (a letter, then letters, digits, - and _)`);
      continue;
    }
    const path = m.path === undefined ? name : m.path;
    if (typeof path !== "string" || !/^[A-Za-z0-9_-][A-Za-z0-9_./-]{0,127}$/.test(path) || path.includes("..")) {
      problems.push(`${where}: path must be relative (letters, digits, -, _, . and /)`);
      continue;
    }
    const lead = leadingWord(m.regex);
    const alias = lead && lead !== word && !RESERVED_METHODS.has(lead) ? lead : undefined;
    methods.push({ name, word, help: text(m.help, 300), path, pattern, alias });
  }
  if (problems.length > 0) throw new ListingError(problems);
  return {
    namespace: text(doc.namespace, 64),
    help: text(doc.help, 500),
    errorResponse: text(doc.error_response, 500),
    methods,
  };
}
