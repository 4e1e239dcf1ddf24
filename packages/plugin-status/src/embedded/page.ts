/**
 * The status page the bot serves: one HTML page (no external assets, readable on a phone, a strict Content Security
 * Policy that allows only its own inline style by hash) and the same data as JSON. Every field that came from chat
 * (titles, update texts, names) is escaped where it is written into the HTML.
 * @module
 */
import { createHash } from "node:crypto";
import type { HttpResponse, HttpRoute } from "@switchboard/core";
import type { Component, ComponentStatus, Incident } from "../model.js";
import type { EmbeddedProvider } from "./provider.js";

/** Escapes text for HTML element content and quoted attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

const LABEL: Record<ComponentStatus, string> = {
  operational: "Operational",
  degraded: "Degraded performance",
  partial: "Partial outage",
  major: "Major outage",
};

const STYLE = [
  "body{font:16px/1.5 system-ui,sans-serif;margin:0 auto;max-width:46rem;padding:1rem;color:#1b1f24;background:#fff}",
  "h1{font-size:1.4rem}h2{font-size:1.1rem;margin-top:2rem}",
  ".banner{padding:.8rem 1rem;border-radius:.4rem;color:#fff;font-weight:600}",
  ".operational{background:#1a7f37}.degraded{background:#9a6700}.partial{background:#bc4c00}.major{background:#cf222e}",
  "ul{list-style:none;padding:0}li{padding:.6rem 0;border-bottom:1px solid #d0d7de;display:flex;justify-content:space-between;gap:1rem;flex-wrap:wrap}",
  ".dot{display:inline-block;width:.7rem;height:.7rem;border-radius:50%;margin-right:.4rem}",
  "article{border:1px solid #d0d7de;border-radius:.4rem;padding:.2rem 1rem;margin:.8rem 0}",
  "time,.meta{color:#57606a;font-size:.9rem}p{overflow-wrap:anywhere}",
  "@media (prefers-color-scheme:dark){body{background:#0d1117;color:#e6edf3}li,article{border-color:#30363d}time,.meta{color:#8d96a0}}",
].join("");

/** The page's Content-Security-Policy: nothing loads, only this inline style runs. */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  `style-src 'sha256-${createHash("sha256").update(STYLE).digest("base64")}'`,
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join("; ");

const SECURITY_HEADERS = {
  "content-security-policy": CONTENT_SECURITY_POLICY,
  "x-content-type-options": "nosniff",
  "referrer-policy": "no-referrer",
  "cache-control": "no-cache",
};

/** The worst status of the components (operational when there are none). */
export function overall(components: Component[]): ComponentStatus {
  const order: ComponentStatus[] = ["operational", "degraded", "partial", "major"];
  return components.reduce<ComponentStatus>(
    (worst, c) => (order.indexOf(c.status) > order.indexOf(worst) ? c.status : worst),
    "operational",
  );
}

const time = (iso: string) =>
  `<time datetime="${escapeHtml(iso)}">${escapeHtml(iso.replace("T", " ").slice(0, 16))} UTC</time>`;

function incidentHtml(incident: Incident, names: Map<string, string>): string {
  const affected = incident.components.map((k) => names.get(k) ?? k);
  const updates = [...incident.updates]
    .reverse()
    .map((u) => `<p><strong>${escapeHtml(u.status)}</strong> — ${escapeHtml(u.text)}<br>${time(u.at)}</p>`)
    .join("");
  return (
    `<article><h3>${escapeHtml(incident.title)}</h3>` +
    `<p class="meta">impact ${escapeHtml(incident.impact)}${affected.length ? ` · ${escapeHtml(affected.join(", "))}` : ""}</p>` +
    `${updates}</article>`
  );
}

/** The whole HTML page. */
export function renderPage(title: string, components: Component[], open: Incident[], resolved: Incident[]): string {
  const worst = overall(components);
  const names = new Map(components.map((c) => [c.key, c.name]));
  const banner = open.length
    ? `${open.length} open incident${open.length === 1 ? "" : "s"}`
    : worst === "operational"
      ? "All systems operational"
      : LABEL[worst];
  const list = components
    .map(
      (c) =>
        `<li><span><span class="dot ${c.status}"></span>${escapeHtml(c.name)}</span><span>${LABEL[c.status]}</span></li>`,
    )
    .join("");
  return [
    "<!doctype html>",
    '<html lang="en"><head><meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width,initial-scale=1">',
    '<meta http-equiv="refresh" content="60">',
    `<title>${escapeHtml(title)}</title><style>${STYLE}</style></head><body>`,
    `<h1>${escapeHtml(title)}</h1>`,
    `<div class="banner ${open.length && worst === "operational" ? "degraded" : worst}">${escapeHtml(banner)}</div>`,
    open.length ? `<h2>Open incidents</h2>${open.map((i) => incidentHtml(i, names)).join("")}` : "",
    components.length ? `<h2>Components</h2><ul>${list}</ul>` : "",
    resolved.length ? `<h2>Past incidents</h2>${resolved.map((i) => incidentHtml(i, names)).join("")}` : "",
    "</body></html>",
  ].join("\n");
}

/** GET `<path>` (HTML) and GET `<path>.json`. */
export function statusRoutes(provider: EmbeddedProvider, path: string, title: string): HttpRoute[] {
  const read = async () => {
    const [components, open, resolved] = await Promise.all([
      provider.components(),
      provider.openIncidents(),
      provider.resolvedIncidents(),
    ]);
    return { components, open, resolved };
  };
  const html = async (): Promise<HttpResponse> => {
    const { components, open, resolved } = await read();
    return {
      status: 200,
      headers: { ...SECURITY_HEADERS, "content-type": "text/html; charset=utf-8" },
      body: renderPage(title, components, open, resolved),
    };
  };
  const json = async (): Promise<HttpResponse> => {
    const { components, open, resolved } = await read();
    return {
      status: 200,
      headers: { ...SECURITY_HEADERS, "access-control-allow-origin": "*" },
      body: {
        page: { title, updatedAt: new Date().toISOString() },
        status: { indicator: overall(components), openIncidents: open.length },
        components,
        incidents: open,
        resolved,
      },
    };
  };
  return [
    { method: "GET", path, source: "plugin status", handler: html },
    { method: "GET", path: `${path.replace(/\/$/, "")}.json`, source: "plugin status", handler: json },
  ];
}
