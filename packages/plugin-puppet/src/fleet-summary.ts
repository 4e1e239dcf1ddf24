/**
 * One summary for a whole fleet: identical changes across hosts become one line (`Package[git] ensure 2.39.2 →
 * 2.39.5 on fs1–fs12`), file content changes carry a short diff (never for `Sensitive` values), failures name the
 * resource and message per host.
 * @module
 */
import { type Block, out } from "@switchboard/core";
import { formatHosts } from "./host-list.js";
import { printable } from "./names.js";
import type { Change, HostRun } from "./run-result.js";

/** The same change on several hosts. */
export interface ChangeGroup {
  change: Change;
  hosts: string[];
}

/** The same failure on several hosts. */
export interface FailureGroup {
  /** `Package[git]: change from '2.39.2' to '2.39.5-broken' failed: …`, or a run-level error. */
  text: string;
  hosts: string[];
}

/** Everything a fleet run did, grouped. */
export interface FleetSummary {
  changes: ChangeGroup[];
  failures: FailureGroup[];
  /** Hosts where resources were skipped because a dependency failed, with how many. */
  skipped: Array<{ host: string; resources: string[] }>;
  /** Hosts that ran fine with nothing to change. */
  unchanged: string[];
  failedHosts: string[];
  changedHosts: string[];
}

const changeKey = (c: Change) => [c.resource, c.property, c.from, c.to, c.diff ?? ""].join("\u0000");

/** Groups the runs' changes and failures across hosts, in the order the hosts are given. */
export function summarise(runs: readonly HostRun[]): FleetSummary {
  const changes = new Map<string, ChangeGroup>();
  const failures = new Map<string, FailureGroup>();
  const summary: FleetSummary = {
    changes: [],
    failures: [],
    skipped: [],
    unchanged: [],
    failedHosts: [],
    changedHosts: [],
  };
  for (const run of runs) {
    for (const change of run.changes) {
      const key = changeKey(change);
      const group = changes.get(key) ?? { change, hosts: [] };
      if (!group.hosts.includes(run.host)) group.hosts.push(run.host);
      changes.set(key, group);
    }
    for (const failure of run.failures) {
      const text = failureText(failure.resource, failure.message);
      const group = failures.get(text) ?? { text, hosts: [] };
      if (!group.hosts.includes(run.host)) group.hosts.push(run.host);
      failures.set(text, group);
    }
    if (run.skipped.length) summary.skipped.push({ host: run.host, resources: run.skipped });
    if (!run.ok) summary.failedHosts.push(run.host);
    else if (run.changes.length) summary.changedHosts.push(run.host);
    else summary.unchanged.push(run.host);
  }
  summary.changes = [...changes.values()];
  summary.failures = [...failures.values()];
  return summary;
}

function failureText(resource: string | undefined, message: string): string {
  const first = message.split("\n").find((l) => l.trim()) ?? message;
  const capped = printable(first.trim(), 240);
  return resource ? `${printable(resource, 120)}: ${capped}` : capped;
}

/** `Package[git] ensure 2.39.2 → 2.39.5`, `File[motd] content changed`. */
export function describeChange(change: Change): string {
  const resource = printable(change.resource, 120);
  if (change.sensitive) return `${resource} ${change.property} changed (sensitive, not shown)`;
  if (change.property === "content") return `${resource} content changed`;
  return `${resource} ${change.property} ${printable(change.from)} → ${printable(change.to)}`;
}

/** A diff cut to `maxLines` lines of at most 160 characters. */
export function capDiff(diff: string, maxLines: number): string {
  const lines = diff.split("\n");
  const shown = lines.slice(0, maxLines).map((l) => printable(l, 160));
  if (lines.length > maxLines) shown.push(`… ${lines.length - maxLines} more lines`);
  return shown.join("\n");
}

/** One piece of a rendered summary, and how many chat lines it takes. */
export interface SummaryItem {
  block: Block;
  lines: number;
}

/** The summary as blocks (changes with their diffs, then failures, skipped and unchanged hosts). */
export function summaryItems(summary: FleetSummary, options: { diffLines: number; verb: string }): SummaryItem[] {
  const items: SummaryItem[] = [];
  const text = (line: string) => items.push({ block: out.text(line), lines: 1 });
  for (const group of summary.changes) {
    text(`${describeChange(group.change)} on ${formatHosts(group.hosts)}`);
    if (group.change.diff && options.diffLines > 0) {
      const diff = capDiff(group.change.diff, options.diffLines);
      items.push({ block: out.code(diff, "diff"), lines: diff.split("\n").length });
    }
  }
  for (const group of summary.failures) text(`✖ ${formatHosts(group.hosts)}: ${group.text}`);
  for (const { host, resources } of summary.skipped) {
    const names = resources.slice(0, 5).map((r) => printable(r, 80));
    text(`${host}: skipped because a dependency failed: ${names.join(", ")}${resources.length > 5 ? ", …" : ""}`);
  }
  if (summary.unchanged.length && (summary.changes.length || summary.failures.length))
    text(`nothing ${options.verb} on ${formatHosts(summary.unchanged)}`);
  return items;
}

/** Counts for a headline: `2 changes on 3 hosts`. */
export function changeCount(summary: FleetSummary): string {
  const n = summary.changes.length;
  const hosts = new Set(summary.changes.flatMap((g) => g.hosts)).size;
  if (n === 0) return "no changes";
  return `${n} ${n === 1 ? "change" : "changes"} on ${hosts === 1 ? "1 host" : `${hosts} hosts`}`;
}

/** The lines of a change list, for approval requests and progress (no diffs). */
export function changeLines(summary: FleetSummary): string[] {
  return summary.changes.map((g) => `${describeChange(g.change)} on ${formatHosts(g.hosts)}`);
}
