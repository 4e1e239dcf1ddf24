/**
 * The three pages: one job, the audit log (filtered), the approvals waiting. Each is built from what the runtime
 * really wrote to the audit log, the live job table and the transcript book; every value is escaped.
 * @module
 */
import type { AuditEntry } from "@switchboard/core";
import { auditSummary, type VerifyResult } from "@switchboard/core/audit";
import type { LiveJob } from "../bot-surface.js";
import { esc, facts, page, table } from "./html.js";
import type { Transcript } from "./transcripts.js";

const when = (iso: string | Date | undefined) =>
  iso === undefined
    ? undefined
    : esc(`${(typeof iso === "string" ? iso : iso.toISOString()).replace("T", " ").slice(0, 19)} UTC`);

const code = (value: unknown) => `<code>${esc(value)}</code>`;

/** What the job page is built from. */
export interface JobView {
  jobId: string;
  entries: AuditEntry[];
  live: LiveJob | undefined;
  transcript: Transcript | undefined;
  /** The event-stream address when the job is still running. */
  eventsHref?: string;
}

/** The job's page. */
export function jobPage(view: JobView): string {
  const { entries, live, transcript, jobId } = view;
  const asked = entries.find((e) => e.event === "admitted" || e.event === "denied" || e.event === "received");
  const requested = entries.find((e) => e.event === "approval-requested");
  const approvals = entries.filter((e) => e.event === "approval");
  const end = entries.find((e) => e.event === "outcome" || e.event === "denied");
  const started = live?.startedAt?.toISOString() ?? approvals.find((e) => e.detail?.starts)?.time ?? asked?.time;
  const detail = (asked?.detail ?? {}) as {
    text?: string;
    reason?: string;
    sender?: string;
    alias?: { name?: string; typed?: string[]; expansion?: string[] };
  };
  const command = live?.command.name ?? asked?.command ?? "unknown";
  const args = live?.auditArgs ?? asked?.args ?? {};
  const state = end?.outcome ?? (live ? (live.state === "running" ? "running" : "waiting for approval") : "unknown");
  const resolved = [command, ...Object.entries(args).map(([name, value]) => `${name}=${JSON.stringify(value)}`)].join(
    " ",
  );
  const about = facts([
    ["Command", code(command)],
    ["State", `<span id="job-status" role="status" aria-live="polite">${esc(state)}</span>`],
    ["Requested by", asked?.actor === undefined && !live ? undefined : esc(live?.actor.id ?? asked?.actor)],
    ["Sender on the network", detail.sender === undefined ? undefined : esc(detail.sender)],
    [
      "Where",
      asked || live
        ? esc(`${live?.message.network ?? asked?.network ?? "?"} ${live?.message.room.name ?? asked?.room ?? "?"}`)
        : undefined,
    ],
    [
      "As typed",
      detail.text === undefined
        ? asked
          ? "not kept (the command has secret arguments)"
          : undefined
        : code(detail.text),
    ],
    ["As resolved", code(resolved)],
    [
      "Alias",
      detail.alias?.name === undefined
        ? undefined
        : `${esc(detail.alias.name)}${detail.alias.expansion ? `: ${code(detail.alias.expansion.join(" "))}` : ""}`,
    ],
    [
      "Decision",
      asked ? esc(`${asked.decision ?? ""} (${asked.rule ?? "no rule"}): ${detail.reason ?? ""}`) : undefined,
    ],
    ["Asked at", when(asked?.time)],
    ["Started", end?.outcome === "denied" ? undefined : when(started)],
    ["Finished", when(end?.time)],
    ["Duration", end?.durationMs === undefined ? undefined : esc(`${end.durationMs} ms`)],
    ["Error id", end?.errorId === undefined ? undefined : code(end.errorId)],
  ]);
  const digest = requested?.detail?.digest ?? live?.approval?.digest;
  const approvalSection = requested
    ? `<h2>Approvals</h2>
${facts([
  [
    "Needed",
    esc(
      `${requested.detail?.count ?? "?"} with ${requested.detail?.permission ?? "?"} (rule ${requested.rule ?? "?"})`,
    ),
  ],
  ["Digest approved", digest === undefined ? undefined : code(digest)],
  ["Expires", live?.approval ? when(live.approval.expiresAt) : undefined],
])}
${table(
  "Approvals given",
  ["who", "when", "digest they approved", "count"],
  approvals.map((e) => [
    esc(e.actor),
    when(e.time) ?? "",
    digest === undefined ? "" : code(digest),
    esc(`${e.detail?.approvals ?? "?"}/${e.detail?.needed ?? "?"}`),
  ]),
)}`
    : "";
  const lines = transcript?.lines ?? [];
  const running = view.eventsHref !== undefined;
  const transcriptSection = `<h2 id="transcript-heading">What the bot said</h2>
${
  lines.length === 0 && !running
    ? "<p>No transcript is kept for this job (it said nothing, or it ran before the bot last started).</p>"
    : ""
}<ol id="transcript" class="transcript" aria-labelledby="transcript-heading"${
    running ? ` data-events="${esc(view.eventsHref)}"` : ""
  }>
${lines.map((line) => `<li>${esc(line)}</li>`).join("\n")}
</ol>${transcript && transcript.dropped > 0 ? `<p>${esc(transcript.dropped)} more lines were not kept.</p>` : ""}${
    running ? "<p>This page follows the job while it runs (reload it if scripts are off).</p>" : ""
  }`;
  const history = table(
    "Audit log entries of this job",
    ["#", "time", "event", "actor", "detail"],
    entries.map((e) => [esc(e.seq), when(e.time) ?? "", esc(e.event), esc(e.actor), esc(auditSummary(e))]),
  );
  return page(`Job ${jobId}`, `${about}\n${approvalSection}\n${transcriptSection}\n<h2>Audit log</h2>\n${history}`, {
    live: running,
  });
}

/** Filters of the audit page: the link's (signed) and the URL's (each only narrows). */
export interface AuditFilters {
  person?: string;
  command?: string;
  outcome?: string;
  job?: string;
  from?: string;
  to?: string;
}

/** What the audit page is built from. */
export interface AuditView {
  token: string;
  entries: AuditEntry[];
  /** What the form shows (the URL's filters). */
  shown: AuditFilters;
  /** The link's own filters, which the page cannot widen. */
  signed: AuditFilters;
  verification: VerifyResult;
  /** Whether more entries matched than are shown. */
  truncated: boolean;
  /** A signed link to a job's page for the same person. */
  jobHref(jobId: string): string;
}

const OUTCOMES = ["succeeded", "failed", "cancelled", "timed-out", "denied", "expired", "rejected"];

function input(name: keyof AuditFilters, label: string, value: string | undefined, type = "text"): string {
  return `<div><label for="f-${name}">${esc(label)}</label><input id="f-${name}" name="${name}" type="${type}" value="${esc(value ?? "")}"></div>`;
}

/** The audit page. */
export function auditPage(view: AuditView): string {
  const { verification } = view;
  const state = verification.ok
    ? `<p class="ok" role="status">Chain verified: all ${esc(verification.checked)} entries link and hash correctly (head <code>${esc(verification.lastHash.slice(0, 16))}…</code>).</p>`
    : `<p class="warning" role="alert">Verification FAILED at entry #${esc(verification.firstBad.seq)}: ${esc(verification.firstBad.reason)}. Entries from there on cannot be trusted.</p>`;
  const signed = Object.entries(view.signed).filter(([, v]) => v !== undefined);
  const limits = signed.length
    ? `<p>This link is limited to: ${signed.map(([k, v]) => `${esc(k)} = ${code(v)}`).join(", ")}.</p>`
    : "";
  const { shown } = view;
  const form = `<form method="get" action="/web/audit" aria-label="Filter the audit log">
<input type="hidden" name="t" value="${esc(view.token)}">
${input("person", "Person (principal id)", shown.person)}
${input("command", "Command", shown.command)}
<div><label for="f-outcome">Outcome</label><select id="f-outcome" name="outcome"><option value="">any</option>${OUTCOMES.map(
    (o) => `<option${shown.outcome === o ? " selected" : ""}>${o}</option>`,
  ).join("")}</select></div>
${input("job", "Job id", shown.job)}
${input("from", "From (UTC)", shown.from, "datetime-local")}
${input("to", "To (UTC)", shown.to, "datetime-local")}
<div><button type="submit">Filter</button></div>
</form>`;
  const rows = view.entries.map((e) => [
    esc(e.seq),
    when(e.time) ?? "",
    e.jobId ? `<a href="${esc(view.jobHref(e.jobId))}">${esc(e.jobId)}</a>` : "",
    esc(e.event),
    esc(e.actor),
    esc(e.command),
    esc(e.outcome),
    esc(auditSummary(e)),
  ]);
  const body = `${state}
${limits}
${form}
${table("Audit log entries, newest first", ["#", "time", "job", "event", "person", "command", "outcome", "detail"], rows)}
${view.truncated ? "<p>More entries match: narrow the filters to see them.</p>" : ""}`;
  return page("Audit log", body);
}

/** The approvals page. */
export function approvalsPage(waiting: LiveJob[], jobHref: (jobId: string) => string): string {
  const rows = waiting.map((job) => {
    const approval = job.approval;
    return [
      `<a href="${esc(jobHref(job.id))}">${esc(job.id)}</a>`,
      code([job.command.name, ...Object.entries(job.auditArgs).map(([k, v]) => `${k}=${JSON.stringify(v)}`)].join(" ")),
      esc(job.actor.id),
      esc(
        approval
          ? `${approval.approvers.size}/${approval.count} (${[...approval.approvers.keys()].join(", ") || "none yet"})`
          : "?",
      ),
      esc(approval?.permission),
      when(approval?.expiresAt) ?? "",
      approval ? code(approval.digest) : "",
    ];
  });
  return page(
    "Approvals waiting",
    table(
      "Jobs waiting for approval",
      ["job", "what will run", "requested by", "approvals", "approvers need", "expires", "digest"],
      rows,
    ),
  );
}
