/**
 * Rendering of the output model for Matrix: HTML for `formatted_body` (Matrix's HTML subset) and the plain-text
 * rendering of core for `body`.
 * @module
 */
import { type Block, renderText, revealInvisibleBlocks, type StatusLevel } from "@switchboard/core";

/** Colours of status blocks (`data-mx-color`, which Matrix clients honour in `<font>`). */
export const statusColours: Record<StatusLevel, string> = {
  ok: "#2e7d32",
  warn: "#b26a00",
  fail: "#c62828",
  info: "#1565c0",
};
const statusMark: Record<StatusLevel, string> = { ok: "✔", warn: "⚠", fail: "✖", info: "ℹ" };

/** Escapes text for HTML. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&${{ "&": "amp", "<": "lt", ">": "gt", '"': "quot", "'": "#39" }[c]};`);
}

function lines(text: string): string {
  return escapeHtml(text).replace(/\n/g, "<br>");
}

/** One block as Matrix HTML. */
export function blockHtml(block: Block): string {
  switch (block.type) {
    case "text":
      return `<p>${lines(block.text)}</p>`;
    case "code": {
      const cls = block.language ? ` class="language-${escapeHtml(block.language)}"` : "";
      return `<pre><code${cls}>${escapeHtml(block.text.replace(/\n$/, ""))}</code></pre>`;
    }
    case "table": {
      const head = block.columns.map((c) => `<th>${escapeHtml(c)}</th>`).join("");
      const rows = block.rows
        .map((r) => `<tr>${block.columns.map((_, i) => `<td>${escapeHtml(r[i] ?? "")}</td>`).join("")}</tr>`)
        .join("");
      return `<table><thead><tr>${head}</tr></thead><tbody>${rows}</tbody></table>`;
    }
    case "facts":
      return `<p>${block.facts.map(([k, v]) => `<b>${escapeHtml(k)}:</b> ${lines(v)}`).join("<br>")}</p>`;
    case "status": {
      const colour = statusColours[block.level];
      return `<p><font color="${colour}" data-mx-color="${colour}">${statusMark[block.level]} ${lines(block.text)}</font></p>`;
    }
    case "image": {
      const alt = `[image: ${escapeHtml(block.alt)}]`;
      const text = block.url ? `<a href="${escapeHtml(block.url)}">${alt}</a>` : alt;
      return `<p>${block.fallback ? `${escapeHtml(block.fallback)}<br>` : ""}${text}</p>`;
    }
    case "link":
      return `<p><a href="${escapeHtml(block.url)}">${escapeHtml(block.text ?? block.url)}</a></p>`;
    case "actions":
      return `<p>${block.actions.map((a) => `${escapeHtml(a.label)}: <code>${escapeHtml(a.command)}</code>`).join(" · ")}</p>`;
  }
}

/** The body and HTML body of a text message. */
export interface RenderedText {
  body: string;
  formattedBody: string;
}

/** Renders blocks (none of them an image sent as media) as one message. */
export function renderMessage(blocks: Block[]): RenderedText {
  const shown = revealInvisibleBlocks(blocks); // no bidirectional override or zero-width character in either body
  return { body: renderText(shown), formattedBody: shown.map(blockHtml).join("") };
}
