/**
 * Finding where a key path is in a YAML document, for error messages with line numbers.
 * @module
 */
import { isMap, isScalar, isSeq, type LineCounter, type Node, type ParsedNode } from "yaml";
import type { ConfigPath } from "./errors.js";

/** A 1-based position in the file. */
export interface Position {
  line: number;
  column: number;
}

function keyOf(node: unknown): unknown {
  return isScalar(node) ? node.value : node;
}

/**
 * The position of `path` in the document: the key of the deepest map entry the path reaches (so a bad value and
 * an unknown key both point at their line), or the item of a list. A path that goes beyond what the file holds
 * (a missing key) points at the deepest part that exists.
 */
export function locate(root: ParsedNode | null, path: ConfigPath, lines: LineCounter): Position | undefined {
  let node: Node | null = root;
  let offset = root?.range?.[0];
  for (const part of path) {
    if (isMap(node)) {
      const pair = node.items.find((p) => String(keyOf(p.key)) === String(part));
      if (!pair) break;
      offset = (pair.key as Node | null)?.range?.[0] ?? offset;
      node = (pair.value as Node | null) ?? null;
    } else if (isSeq(node) && typeof part === "number") {
      const item = node.items[part] as Node | undefined;
      if (!item) break;
      offset = item.range?.[0] ?? offset;
      node = item;
    } else break;
  }
  if (offset === undefined) return undefined;
  const { line, col } = lines.linePos(offset);
  return { line, column: col };
}
