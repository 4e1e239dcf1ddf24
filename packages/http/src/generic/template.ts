/**
 * The generic hooks' template: text with `{{field.path}}` placeholders filled from the JSON body. Deliberately no
 * logic (no sections, helpers or expressions): config is not code. Lookups follow own properties only, so
 * `{{constructor}}` or `{{__proto__.x}}` give nothing; every value becomes one line of at most 300 characters.
 * @module
 */
import { oneLine } from "../text.js";

type Part = { text: string } | { path: string[] };

/** A parsed template. */
export interface Template {
  parts: Part[];
}

const PLACEHOLDER = /\{\{\s*([^{}]*?)\s*\}\}/g;
const PATH = /^[A-Za-z0-9_$-]+(\.[A-Za-z0-9_$-]+)*$/;

/** Parses a template; throws on an unclosed `{{` or a placeholder that is not a dotted path. */
export function parseTemplate(source: string): Template {
  const parts: Part[] = [];
  let last = 0;
  for (const match of source.matchAll(PLACEHOLDER)) {
    const path = match[1]!;
    if (!PATH.test(path)) throw new Error(`template: {{${path}}} is not a field path (use {{field}} or {{a.b.c}})`);
    if (match.index > last) parts.push({ text: source.slice(last, match.index) });
    parts.push({ path: path.split(".") });
    last = match.index + match[0].length;
  }
  const rest = source.slice(last);
  if (rest.includes("{{")) throw new Error("template: a {{ is not closed with }}");
  if (rest) parts.push({ text: rest });
  return { parts };
}

/** The value at `path` inside `data`, following own properties (and array indexes) only. */
export function lookup(data: unknown, path: readonly string[]): unknown {
  let value = data;
  for (const key of path) {
    if (value === null || typeof value !== "object" || !Object.hasOwn(value, key)) return undefined;
    value = (value as Record<string, unknown>)[key];
  }
  return value;
}

const MAX_VALUE = 300;

function show(value: unknown): string {
  if (value === undefined || value === null) return "";
  if (typeof value === "string" || typeof value === "number" || typeof value === "boolean")
    return oneLine(String(value), MAX_VALUE);
  return oneLine(JSON.stringify(value), MAX_VALUE);
}

/** Fills the template from `data`; missing fields become empty. */
export function renderTemplate(template: Template, data: unknown): string {
  return template.parts.map((part) => ("text" in part ? part.text : show(lookup(data, part.path)))).join("");
}
