/**
 * HTML for the web view: escaping (every field that came from chat or a webhook goes through {@link esc}), the page
 * frame, and the security headers every page carries (a strict CSP: own stylesheet and script only, nothing inline).
 * @module
 */
import { revealInvisible } from "@switchboard/core";

/** Text made safe for HTML content and quoted attributes; invisible and bidi characters shown as escapes. */
export function esc(value: unknown): string {
  const text = value === undefined || value === null ? "" : typeof value === "string" ? value : JSON.stringify(value);
  return revealInvisible(text)
    .replaceAll("&", "&amp;")
    .replaceAll("<", "&lt;")
    .replaceAll(">", "&gt;")
    .replaceAll('"', "&quot;")
    .replaceAll("'", "&#39;");
}

/** Content-Security-Policy of every web-view answer: same-origin stylesheet, script and event stream only. */
export const CSP =
  "default-src 'none'; style-src 'self'; script-src 'self'; connect-src 'self'; img-src 'self'; " +
  "base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

/** Headers of every web-view answer: the CSP, no caching, no referrer (the link is in the URL), no sniffing. */
export const SECURITY_HEADERS: Record<string, string> = {
  "content-security-policy": CSP,
  "cache-control": "no-store",
  "referrer-policy": "no-referrer",
  "x-content-type-options": "nosniff",
  "x-frame-options": "DENY",
};

/** A whole page: `body` is already HTML (built with {@link esc}). */
export function page(title: string, body: string, options: { live?: boolean } = {}): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>${esc(title)} · Switchboard</title>
<link rel="icon" href="/web/assets/icon.svg" type="image/svg+xml">
<link rel="stylesheet" href="/web/assets/web.css">
${options.live ? '<script src="/web/assets/live.js" defer></script>\n' : ""}</head>
<body>
<header><p class="brand">Switchboard</p></header>
<main id="main">
<h1>${esc(title)}</h1>
${body}
</main>
</body>
</html>
`;
}

/** The plain page of a refused link (tampered, expired, or its owner may no longer read this). */
export function forbiddenPage(): string {
  return page(
    "Forbidden",
    "<p>This link is not valid: it was changed, it has expired, or its owner may not read this any more. Ask the bot for a new one.</p>",
  );
}

/** A table with a caption; cells are already HTML. */
export function table(caption: string, columns: string[], rows: string[][]): string {
  if (rows.length === 0) return `<p>${esc(caption)}: none.</p>`;
  const head = columns.map((c) => `<th scope="col">${esc(c)}</th>`).join("");
  const body = rows.map((row) => `<tr>${row.map((cell) => `<td>${cell}</td>`).join("")}</tr>`).join("\n");
  return `<div class="scroll" tabindex="0" role="region" aria-label="${esc(caption)}"><table>
<caption>${esc(caption)}</caption>
<thead><tr>${head}</tr></thead>
<tbody>
${body}
</tbody>
</table></div>`;
}

/** A description list from label/HTML pairs (pairs without a value are left out). */
export function facts(pairs: Array<[string, string | undefined]>): string {
  const items = pairs
    .filter(([, value]) => value !== undefined && value !== "")
    .map(([label, value]) => `<dt>${esc(label)}</dt><dd>${value}</dd>`)
    .join("\n");
  return `<dl>\n${items}\n</dl>`;
}
