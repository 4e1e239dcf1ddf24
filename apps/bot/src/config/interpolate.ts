/**
 * `${VAR}` interpolation in the string values of a YAML document, before validation.
 * @module
 */
import { isMap, isScalar, isSeq, type Node } from "yaml";
import type { ConfigPath } from "./errors.js";

/** What interpolation changed or could not do. */
export interface InterpolationResult {
  /** Problems (a variable that is not set, a malformed reference), by key path. */
  problems: Array<{ path: ConfigPath; node: Node; message: string }>;
  /** Values that came from the environment: key path → the text as written (`${TOKEN}`), for redacting messages. */
  substituted: Map<string, { path: ConfigPath; written: string; value: string }>;
}

const reference = /\$\$\{|\$\{([^}]*)\}/g;
const variableName = /^([A-Za-z_][A-Za-z0-9_]*)(?::-(.*))?$/s;

/** A stable key for a path (for maps keyed by path). */
export function pathKey(path: ConfigPath): string {
  return JSON.stringify(path);
}

/**
 * Replaces `${NAME}` (and `${NAME:-default}`, used when NAME is unset or empty) in every string scalar value of
 * the document, in place. `$${` stands for a literal `${`. Keys are never interpolated. A variable that is not set
 * (and has no default) is a problem naming the variable; its value is never part of any message.
 */
export function interpolate(root: Node | null, env: Record<string, string | undefined>): InterpolationResult {
  const result: InterpolationResult = { problems: [], substituted: new Map() };
  const visit = (node: Node | null, path: ConfigPath): void => {
    if (isMap(node)) {
      for (const pair of node.items) {
        const key = isScalar(pair.key) ? pair.key.value : undefined;
        if (typeof key === "string" || typeof key === "number")
          visit(pair.value as Node | null, [...path, String(key)]);
      }
    } else if (isSeq(node)) {
      for (const [index, item] of node.items.entries()) visit(item as Node | null, [...path, index]);
    } else if (isScalar(node) && typeof node.value === "string" && node.value.includes("${")) {
      const written = node.value;
      let fromEnv = false;
      const value = written.replace(reference, (match, inner: string | undefined) => {
        if (match === "$${") return "${";
        const parsed = variableName.exec(inner ?? "");
        if (!parsed) {
          result.problems.push({
            path,
            node,
            message: `"${match}" is not a variable reference; write \${NAME} or \${NAME:-default}`,
          });
          return match;
        }
        const [, name, fallback] = parsed;
        const set = env[name!];
        if (set !== undefined && (set !== "" || fallback === undefined)) {
          fromEnv = true;
          return set;
        }
        if (fallback !== undefined) return fallback;
        result.problems.push({ path, node, message: `environment variable ${name} is not set` });
        return match;
      });
      if (value !== written) {
        node.value = value;
        if (fromEnv) result.substituted.set(pathKey(path), { path, written, value });
      }
    }
  };
  visit(root, []);
  return result;
}
