/**
 * Rendering of the output model for Matrix: HTML for `formatted_body` (Matrix's HTML subset) and the plain-text
 * rendering of core for `body`.
 * @module
 */
import { type Action, type Block, renderText, revealInvisibleBlocks, type StatusLevel } from "@switchboard/core";

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

/** The reaction that runs the `index`th action of a message (`1️⃣` … `9️⃣`, `🔟`); undefined past ten. */
export function actionReaction(index: number): string | undefined {
  if (index < 9) return `${index + 1}\uFE0F\u20E3`;
  return index === 9 ? "🔟" : undefined;
}

/** One action as people read it: the reaction that runs it (if any), its label and its command. */
function actionLine(action: Action, index: number): { reaction: string | undefined; label: string; command: string } {
  return { reaction: actionReaction(index), label: action.label, command: action.command };
}

/** An actions block as text, numbered from `first`: `1️⃣ Acknowledge: pager ack PX1 · …`. */
function actionsText(block: Extract<Block, { type: "actions" }>, first: number): string {
  return block.actions
    .map((a, i) => {
      const { reaction, label, command } = actionLine(a, first + i);
      return `${reaction ? `${reaction} ` : ""}${label}: ${command}`;
    })
    .join(" · ");
}

/** One block as Matrix HTML (`firstAction`: the number of actions earlier in the same message). */
export function blockHtml(block: Block, firstAction = 0): string {
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
      return `<p>${block.actions
        .map((a, i) => {
          const { reaction, label, command } = actionLine(a, firstAction + i);
          return `${reaction ? `${reaction} ` : ""}${escapeHtml(label)}: <code>${escapeHtml(command)}</code>`;
        })
        .join(" · ")}</p>`;
  }
}

/** The body and HTML body of a text message. */
export interface RenderedText {
  body: string;
  formattedBody: string;
}

/** The actions of a message in order (reaction `1️⃣` runs the first), as {@link renderMessage} numbers them. */
export function actionsOf(blocks: Block[]): Action[] {
  return blocks.flatMap((b) => (b.type === "actions" ? b.actions : []));
}

/**
 * Renders blocks (none of them an image sent as media) as one message. Actions are numbered across the message:
 * reacting with the number runs the action as the person who reacted.
 */
export function renderMessage(blocks: Block[]): RenderedText {
  const shown = revealInvisibleBlocks(blocks); // no bidirectional override or zero-width character in either body
  let actions = 0;
  const html: string[] = [];
  const plain: Block[] = [];
  for (const block of shown) {
    html.push(blockHtml(block, actions));
    plain.push(block.type === "actions" ? { type: "text", text: actionsText(block, actions) } : block);
    if (block.type === "actions") actions += block.actions.length;
  }
  return { body: renderText(plain), formattedBody: html.join("") };
}
