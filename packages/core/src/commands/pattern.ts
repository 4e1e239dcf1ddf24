/**
 * Word patterns such as `{app}[/{ref}] [to {env}[/{hosts}]]`, compiled once into an anchored regular expression.
 * @module
 */

type Item =
  | { type: "ws" }
  | { type: "lit"; text: string }
  | { type: "ph"; name: string; rest: boolean }
  | { type: "opt"; items: Item[] };

/** A compiled pattern. */
export interface WordPattern {
  source: string;
  regex: RegExp;
  /** Placeholder names in order. */
  names: string[];
}

function parse(source: string, start: number, closing: boolean): { items: Item[]; end: number } {
  const items: Item[] = [];
  let i = start;
  while (i < source.length) {
    const ch = source[i]!;
    if (ch === "]") {
      if (!closing) throw new Error(`unexpected "]" at ${i} in pattern "${source}"`);
      return { items, end: i + 1 };
    }
    if (ch === "[") {
      const inner = parse(source, i + 1, true);
      items.push({ type: "opt", items: inner.items });
      i = inner.end;
    } else if (ch === "{") {
      const close = source.indexOf("}", i);
      if (close < 0) throw new Error(`unclosed "{" in pattern "${source}"`);
      const body = source.slice(i + 1, close);
      const rest = body.endsWith("...");
      const name = rest ? body.slice(0, -3) : body;
      if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) throw new Error(`bad placeholder "{${body}}" in pattern "${source}"`);
      items.push({ type: "ph", name, rest });
      i = close + 1;
    } else if (/\s/.test(ch)) {
      while (i < source.length && /\s/.test(source[i]!)) i++;
      items.push({ type: "ws" });
    } else {
      const last = items.at(-1);
      if (last?.type === "lit") last.text += ch;
      else items.push({ type: "lit", text: ch });
      i++;
    }
  }
  if (closing) throw new Error(`unclosed "[" in pattern "${source}"`);
  return { items, end: i };
}

/** The first character a sequence must start with, if it starts with a literal. */
function leadingLiteral(items: Item[], from: number): string | undefined {
  const item = items[from];
  if (!item) return undefined;
  if (item.type === "lit") return item.text[0];
  if (item.type === "opt") return leadingLiteral(item.items, 0);
  return undefined;
}

const escapeRegex = (text: string) => text.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");

function emit(items: Item[], names: string[], follow: string | undefined): string {
  let out = "";
  for (let i = 0; i < items.length; i++) {
    const item = items[i]!;
    const next = i + 1 < items.length ? leadingLiteral(items, i + 1) : follow;
    switch (item.type) {
      case "ws": {
        const after = items[i + 1];
        if (after?.type === "opt") {
          out += `(?:\\s+${emit(after.items, names, i + 2 < items.length ? leadingLiteral(items, i + 2) : follow)})?`;
          i++;
        } else out += "\\s+";
        break;
      }
      case "lit":
        out += escapeRegex(item.text);
        break;
      case "ph":
        names.push(item.name);
        out += item.rest ? `(?<${item.name}>.+)` : `(?<${item.name}>[^\\s${next ? escapeRegex(next) : ""}]+)`;
        break;
      case "opt":
        out += `(?:${emit(item.items, names, next)})?`;
        break;
    }
  }
  return out;
}

/** Compiles a pattern; throws with a clear message when it is malformed. */
export function compilePattern(source: string): WordPattern {
  const { items } = parse(source.trim(), 0, false);
  const names: string[] = [];
  const body = emit(items, names, undefined);
  const duplicate = names.find((n, i) => names.indexOf(n) !== i);
  if (duplicate) throw new Error(`placeholder {${duplicate}} appears twice in pattern "${source}"`);
  return { source, regex: new RegExp(`^${body}$`, "i"), names };
}

/** Matches words against a pattern: the named values, or undefined when it does not match. */
export function matchPattern(pattern: WordPattern, text: string): Record<string, string> | undefined {
  const match = pattern.regex.exec(text.trim());
  if (!match) return undefined;
  const values: Record<string, string> = {};
  for (const name of pattern.names) {
    const value = match.groups?.[name];
    if (value !== undefined) values[name] = value;
  }
  return values;
}
