/**
 * Problems in plain words instead of the schema library's text: "adapters is a list: start each entry with `- `"
 * rather than "Invalid input: expected array, received object". Messages our schemas wrote themselves are kept.
 * Also the keys a schema allows at a path, for "did you mean" on any section, plugins' included.
 * @module
 */
import { suggest } from "@switchboard/core";
import type { z } from "zod";
import type { ConfigPath } from "./errors.js";

/** The value at `path` in the raw file (undefined when it is not there). */
export function valueAt(raw: unknown, path: ConfigPath): unknown {
  let node = raw;
  for (const part of path) {
    if (node === null || typeof node !== "object") return undefined;
    node = (node as Record<string | number, unknown>)[part];
  }
  return node;
}

function kindOf(value: unknown): string {
  if (value === undefined) return "missing";
  if (value === null) return "empty";
  if (Array.isArray(value)) return "a list";
  if (typeof value === "object") return "a section";
  return typeof value === "string" ? "text" : typeof value;
}

/** True for the schema library's own wording (ours never starts like this). */
const isLibraryText = (message: string) => /^(Invalid|Too (small|big)|Expected|Unrecognized)/.test(message);

/**
 * The message for one schema issue at `path` (already without symbols), in plain words. `raw` is the file's
 * content where the path points (for what was written instead).
 */
export function plainMessage(issue: z.core.$ZodIssue, path: ConfigPath, raw: unknown): string {
  if (!isLibraryText(issue.message)) return issue.message;
  const name = path.length ? String(path.at(-1)) : "the file";
  const key = typeof path.at(-1) === "number" ? `entry ${name}` : name;
  // A value under a secret-looking key is never repeated in the message.
  const secret = path.some((part) => /token|secret|password|key$/i.test(String(part)));
  const actual = valueAt(raw, path);
  const found = secret && actual !== undefined ? "(hidden)" : actual;
  switch (issue.code) {
    case "invalid_type": {
      if (found === undefined) return `${key} is required here`;
      switch (issue.expected) {
        case "array":
          return `${key} is a list: start each entry with "- " on its own line (or write [a, b]); it is ${kindOf(actual)} here`;
        case "object":
          return Array.isArray(actual)
            ? `${key} is a section of "name: value" keys, not a list: remove the "- " before its keys`
            : `${key} is a section: put its "name: value" keys on the lines below it, indented (it is ${kindOf(actual)} here)`;
        case "string":
          return secret
            ? `${key} is text: put the value in quotes`
            : `${key} is text: put the value in quotes, e.g. "${String(found)}"`;
        case "number":
          return `${key} is a number: write it without quotes (it is ${kindOf(actual)} here)`;
        case "boolean":
          return `${key} is true or false (without quotes)`;
        default:
          return `${key} has the wrong kind of value (${kindOf(actual)})`;
      }
    }
    case "too_small":
      if (issue.origin === "string")
        return `${key} must not be empty (if it comes from \${VARIABLE}, is that variable set?)`;
      if (issue.origin === "array")
        return `${key} needs at least ${issue.minimum} ${Number(issue.minimum) === 1 ? "entry" : "entries"}`;
      return `${key} must be at least ${issue.minimum}`;
    case "too_big":
      return issue.origin === "string" || issue.origin === "array"
        ? `${key} is too long (at most ${issue.maximum})`
        : `${key} must be at most ${issue.maximum}`;
    case "invalid_value":
      return `${key} must be one of: ${issue.values.map((v) => String(v)).join(", ")} (it is ${JSON.stringify(found)})`;
    case "invalid_format":
      return issue.format === "regex"
        ? `${key} is not written the expected way (${JSON.stringify(found)})`
        : `${key} is not a valid ${issue.format} (${JSON.stringify(found)})`;
    default:
      return `${key}: ${issue.message.replace(/^Invalid input:?\s*/, "")}`;
  }
}

/** A schema's inner schema after optional/default/nullable/pipe wrappers. */
function unwrap(schema: z.core.$ZodType): z.core.$ZodType {
  let current = schema;
  for (let i = 0; i < 10; i++) {
    const def = current._zod.def as { type: string; innerType?: z.core.$ZodType; in?: z.core.$ZodType };
    if (def.innerType) current = def.innerType;
    else if (def.type === "pipe" && def.in) current = def.in;
    else break;
  }
  return current;
}

/** The keys an object schema allows at `path` (through records, lists and wrappers); undefined when not an object. */
export function schemaKeysAt(schema: z.core.$ZodType, path: ConfigPath): string[] | undefined {
  let current = unwrap(schema);
  for (const part of path) {
    const def = current._zod.def as {
      type: string;
      shape?: Record<string, z.core.$ZodType>;
      valueType?: z.core.$ZodType;
      element?: z.core.$ZodType;
    };
    if (def.type === "object" && def.shape && typeof part === "string" && def.shape[part])
      current = unwrap(def.shape[part]);
    else if (def.type === "record" && def.valueType) current = unwrap(def.valueType);
    else if (def.type === "array" && def.element) current = unwrap(def.element);
    else return undefined;
  }
  const def = current._zod.def as { type: string; shape?: Record<string, unknown> };
  return def.type === "object" && def.shape ? Object.keys(def.shape) : undefined;
}

/** `unknown key "x"; did you mean "y"?` (or the known keys when none is close). */
export function unknownKeyMessage(key: string, known: string[]): string {
  const close = suggest(key, known, 1);
  if (close.length) return `unknown key "${key}"; did you mean "${close[0]}"?`;
  return known.length ? `unknown key "${key}" (known keys: ${known.join(", ")})` : `unknown key "${key}"`;
}
