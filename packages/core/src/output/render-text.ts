import type { Block, StatusLevel } from "./output.js";
import { revealInvisibleBlocks } from "./safe-text.js";

const statusMark: Record<StatusLevel, string> = { ok: "✔", warn: "⚠", fail: "✖", info: "ℹ" };

/** Pads `text` to `width` display columns (counting code points, which is right for most chat text). */
function pad(text: string, width: number): string {
  return text + " ".repeat(Math.max(0, width - [...text].length));
}

/** Renders a table as aligned columns with a header rule. */
export function renderTable(columns: string[], rows: string[][]): string[] {
  const widths = columns.map((c, i) => Math.max([...c].length, ...rows.map((r) => [...(r[i] ?? "")].length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : pad(c, widths[i] ?? 0)))
      .join("  ")
      .trimEnd();
  return [
    line(columns),
    line(widths.map((w) => "-".repeat(w))),
    ...rows.map((r) => line(columns.map((_, i) => r[i] ?? ""))),
  ];
}

/**
 * Renders one block as plain lines. Bidirectional and zero-width characters are shown as `<U+202E>`
 * ({@link revealInvisibleBlocks}): no plain-text rendering lets text pose as other text.
 */
export function renderBlockLines(block: Block): string[] {
  return blockLines(revealInvisibleBlocks([block])[0]!);
}

function blockLines(block: Block): string[] {
  switch (block.type) {
    case "text":
      return block.text.split("\n");
    case "code":
      return block.text.replace(/\n$/, "").split("\n");
    case "table":
      return renderTable(block.columns, block.rows);
    case "facts": {
      const width = Math.max(0, ...block.facts.map(([k]) => [...k].length));
      return block.facts.map(([k, v]) => `${pad(`${k}:`, width + 1)} ${v}`);
    }
    case "status":
      return `${statusMark[block.level]} ${block.text}`.split("\n");
    case "image":
      // The fallback already tells the story (a sparkline with its numbers): then only the link follows it.
      if (block.fallback) return [...block.fallback.split("\n"), ...(block.url ? [`[picture] ${block.url}`] : [])];
      return [block.url ? `[image: ${block.alt}] ${block.url}` : `[image: ${block.alt}]`];
    case "link":
      return [block.text ? `${block.text}: ${block.url}` : block.url];
    case "actions":
      return [block.actions.map((a) => `[${a.label}: ${a.command}]`).join(" ")];
  }
}

/** Renders blocks as plain text, one line per array element. Every adapter can fall back on this. */
export function renderTextLines(blocks: Block[]): string[] {
  return blocks.flatMap(renderBlockLines);
}

/** Renders blocks as one plain-text string. */
export function renderText(blocks: Block[]): string {
  return renderTextLines(blocks).join("\n");
}
