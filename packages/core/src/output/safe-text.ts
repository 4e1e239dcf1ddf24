/**
 * Text that cannot act on whoever reads it. Renderers pass what others wrote (commit messages, alert annotations,
 * command text of guests) through these before it reaches a room or a terminal:
 * - {@link revealInvisible}: bidirectional overrides and zero-width characters become visible `<U+202E>` marks, so
 *   `"\u202Egnp.exe"` cannot pose as `exe.png` and `a\u200Bdmin` cannot pose as `admin`;
 * - {@link escapeTerminal}: control characters (ANSI/OSC escapes, carriage returns, bells) become visible `\x1b`
 *   escapes, so text printed to a terminal cannot move the cursor, erase lines, retitle the window or overwrite a
 *   line with a forged one.
 * @module
 */
import type { Block } from "./output.js";

/**
 * Bidirectional embeddings and overrides (U+202A–202E), isolates (U+2066–2069), zero-width space, non-joiner,
 * joiner, and the left-to-right/right-to-left marks (U+200B–200F), and the zero-width no-break space (U+FEFF).
 */
const INVISIBLE = /[\u202A-\u202E\u2066-\u2069\u200B-\u200F\uFEFF]/g;

/** A pictograph with its optional variation selector and skin tone: what an emoji ZWJ sequence joins. */
const PICTOGRAPH = /\p{Extended_Pictographic}[\uFE0F\u{1F3FB}-\u{1F3FF}]?$/u;
const STARTS_WITH_PICTOGRAPH = /^\p{Extended_Pictographic}/u;

/** Whether `text` has a character {@link revealInvisible} would change (cheap test for the common case). */
export function hasInvisible(text: string): boolean {
  INVISIBLE.lastIndex = 0;
  return INVISIBLE.test(text);
}

/**
 * `text` with every bidirectional control and zero-width character shown as `<U+XXXX>`. A zero-width joiner between
 * two pictographs (an emoji sequence such as 👩‍🔧) is kept: it joins pictures and cannot reorder or hide text.
 */
export function revealInvisible(text: string): string {
  if (!hasInvisible(text)) return text;
  return text.replace(INVISIBLE, (char, offset: number) => {
    if (
      char === "\u200D" &&
      PICTOGRAPH.test(text.slice(Math.max(0, offset - 4), offset)) &&
      STARTS_WITH_PICTOGRAPH.test(text.slice(offset + 1, offset + 3))
    )
      return char;
    return `<U+${char.codePointAt(0)!.toString(16).toUpperCase().padStart(4, "0")}>`;
  });
}

// biome-ignore lint/suspicious/noControlCharactersInRegex: escaping control characters is the point
const TERMINAL_CONTROLS = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g;

/**
 * `text` safe to print on a terminal: control characters other than line feed and tab (ESC, CR, BEL, backspace,
 * C1 controls such as CSI) become `\xNN` (or `\uNNNN`), and invisible characters are revealed as by
 * {@link revealInvisible}. Line feeds stay (a renderer prints lines); pass each line alone to escape them too.
 */
export function escapeTerminal(text: string): string {
  const escaped = text.replace(TERMINAL_CONTROLS, (char) => {
    const code = char.charCodeAt(0);
    return code <= 0xff ? `\\x${code.toString(16).padStart(2, "0")}` : `\\u${code.toString(16).padStart(4, "0")}`;
  });
  return revealInvisible(escaped);
}

/**
 * The same blocks with {@link revealInvisible} applied to every text they show (texts, code, table cells, facts,
 * status lines, alt texts and fallbacks, link texts and URLs, button labels). Renderers call it first, so no network
 * shows a bidirectional override or a zero-width character. Blocks without any come back as they were.
 */
export function revealInvisibleBlocks(blocks: readonly Block[]): Block[] {
  return blocks.map((block) => (blockHasInvisible(block) ? revealInBlock(block) : block));
}

function blockHasInvisible(block: Block): boolean {
  return hasInvisible(JSON.stringify(block, (key, value) => (key === "png" ? undefined : value)));
}

function revealInBlock(block: Block): Block {
  const r = revealInvisible;
  switch (block.type) {
    case "text":
    case "code":
    case "status":
      return { ...block, text: r(block.text) };
    case "table":
      return { ...block, columns: block.columns.map(r), rows: block.rows.map((row) => row.map(r)) };
    case "facts":
      return { ...block, facts: block.facts.map(([k, v]) => [r(k), r(v)] as [string, string]) };
    case "image":
      return {
        ...block,
        alt: r(block.alt),
        ...(block.fallback !== undefined ? { fallback: r(block.fallback) } : {}),
        ...(block.url !== undefined ? { url: r(block.url) } : {}),
      };
    case "link":
      return { ...block, url: r(block.url), ...(block.text !== undefined ? { text: r(block.text) } : {}) };
    case "actions":
      return { ...block, actions: block.actions.map((a) => ({ ...a, label: r(a.label) })) };
  }
}
