/**
 * The web view's only stylesheet and only script, served from /web/assets/ (the CSP allows nothing else). The script
 * follows a running job by server-sent events; every page works without it.
 * @module
 */

/** Readable on a phone, high contrast, visible focus. */
export const STYLESHEET = `
:root { color-scheme: light; --fg: #111; --bg: #fff; --muted: #444; --line: #999; --accent: #0645ad; --bad: #8b0000; }
* { box-sizing: border-box; }
body { margin: 0; font: 16px/1.5 system-ui, sans-serif; color: var(--fg); background: var(--bg); }
header { padding: .5rem 1rem; border-bottom: 1px solid var(--line); }
.brand { margin: 0; font-weight: 700; }
main { padding: 1rem; max-width: 70rem; }
h1 { font-size: 1.4rem; overflow-wrap: anywhere; }
h2 { font-size: 1.15rem; margin-top: 1.5rem; }
a { color: var(--accent); }
:focus-visible { outline: 3px solid var(--accent); outline-offset: 2px; }
dl { display: grid; grid-template-columns: max-content 1fr; gap: .25rem 1rem; }
dt { font-weight: 600; }
dd { margin: 0; overflow-wrap: anywhere; }
@media (max-width: 40rem) { dl { grid-template-columns: 1fr; } dd { margin-bottom: .5rem; } }
.scroll { overflow-x: auto; }
table { border-collapse: collapse; width: 100%; }
caption { text-align: left; font-weight: 600; padding: .25rem 0; }
th, td { border: 1px solid var(--line); padding: .3rem .5rem; text-align: left; vertical-align: top; overflow-wrap: anywhere; }
code, pre, .transcript { font-family: ui-monospace, monospace; font-size: .9rem; }
.transcript { list-style: none; padding: .5rem; margin: 0; border: 1px solid var(--line); white-space: pre-wrap; overflow-wrap: anywhere; }
.warning { color: var(--bad); font-weight: 700; border: 2px solid var(--bad); padding: .5rem; }
.ok { font-weight: 600; }
form { display: grid; grid-template-columns: repeat(auto-fit, minmax(12rem, 1fr)); gap: .5rem 1rem; align-items: end; }
label { display: block; font-weight: 600; }
input, select, button { font: inherit; width: 100%; padding: .3rem; border: 1px solid var(--muted); }
button { background: var(--accent); color: #fff; border: 0; padding: .5rem; cursor: pointer; }
`;

/** Follows the job's event stream: each message is one transcript line (as text, never HTML). */
export const LIVE_SCRIPT = `"use strict";
(function () {
  var list = document.getElementById("transcript");
  var status = document.getElementById("job-status");
  if (!list || !list.dataset.events) return;
  var source = new EventSource(list.dataset.events);
  source.onmessage = function (event) {
    var item = document.createElement("li");
    item.textContent = JSON.parse(event.data);
    list.appendChild(item);
  };
  source.addEventListener("end", function (event) {
    if (status) status.textContent = "finished: " + JSON.parse(event.data);
    source.close();
  });
  source.onerror = function () {
    if (source.readyState === EventSource.CLOSED && status) status.textContent = "live updates stopped; reload the page";
  };
})();
`;

/** The tab icon (served so that browsers do not ask for /favicon.ico). */
export const ICON = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 16 16"><rect width="16" height="16" rx="3" fill="#0645ad"/><path d="M4 5h8M4 8h8M4 11h5" stroke="#fff" stroke-width="1.5"/></svg>`;
