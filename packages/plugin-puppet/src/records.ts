/**
 * What the plugin remembers in its store: each host's last noop per environment (the rollout gate reads it), and
 * the last run started from chat per host (so `puppet status` can say which job a run was).
 * @module
 */
import { formatDuration, type Store } from "@switchboard/core";
import { describeChange } from "./fleet-summary.js";
import { formatHosts } from "./host-list.js";
import { shortVersion } from "./names.js";
import type { HostRun } from "./run-result.js";

/** A host's last noop of an environment. */
export interface NoopRecord {
  env: string;
  host: string;
  /** ISO time the noop finished. */
  at: string;
  job: string;
  actor: string;
  /** It completed with no failed resource. */
  ok: boolean;
  /** The environment's commit (or the report's configuration_version) it ran at. */
  version?: string;
  /** The pending changes, one line each. */
  changes: string[];
}

/** A run started from chat, to label it in `puppet status`. */
export interface ChatRun {
  job: string;
  actor: string;
  mode: "noop" | "apply";
  env: string;
  /** The report's time (epoch seconds): when the run started. */
  reportTime?: number;
  /** When the run was recorded (epoch seconds), after puppet wrote its summary. */
  recordedAt: number;
  /** The environment's commit when the run started, when known. */
  commit?: string;
}

const NOOPS = "noops";
const RUNS = "runs";

/** Records a finished run: the chat run always, the noop record for noops. */
export async function recordRun(
  store: Store,
  run: HostRun,
  who: { job: string; actor: string; version: string | undefined },
): Promise<void> {
  await store.set<ChatRun>(RUNS, run.host, {
    job: who.job,
    actor: who.actor,
    mode: run.mode,
    env: run.env,
    ...(run.reportTime !== undefined ? { reportTime: run.reportTime } : {}),
    recordedAt: Math.ceil(Date.now() / 1000),
    ...(who.version ? { commit: who.version } : {}),
  });
  if (run.mode !== "noop") return;
  const version = who.version ?? run.configurationVersion;
  await store.set<NoopRecord>(NOOPS, `${run.env}/${run.host}`, {
    env: run.env,
    host: run.host,
    at: new Date().toISOString(),
    job: who.job,
    actor: who.actor,
    ok: run.ok,
    ...(version ? { version } : {}),
    changes: run.changes.map(describeChange),
  });
}

/** The chat run of a host, if its last run came from chat. */
export function chatRun(store: Store, host: string): Promise<ChatRun | undefined> {
  return store.get<ChatRun>(RUNS, host);
}

/**
 * Whether a last run summary is of this chat run: puppet stamps the summary's `last_run` when the run ends, so it
 * lies between the report's start and the moment the run was recorded (runs on one host never overlap).
 */
export function isChatRun(chat: ChatRun | undefined, lastRun: number): chat is ChatRun {
  return chat?.reportTime !== undefined && lastRun >= chat.reportTime && lastRun <= chat.recordedAt + 1;
}

/** Whether the hosts have a recent successful noop of `env` at `version`. */
export type NoopVerdict =
  | { ok: true; version: string | undefined; records: NoopRecord[] }
  | { ok: false; problems: string[] };

/**
 * The rollout gate: every host needs a successful noop of `env` within `maxAgeMs`, at `commit` when the commit is
 * known (otherwise all noops must agree on one configuration version, which the rollout then checks host by host).
 */
export async function noopVerdict(
  store: Store,
  env: string,
  hosts: string[],
  commit: string | undefined,
  maxAgeMs: number,
): Promise<NoopVerdict> {
  const now = Date.now();
  const missing: string[] = [];
  const failed: string[] = [];
  const old: string[] = [];
  const elsewhere: string[] = [];
  const records: NoopRecord[] = [];
  for (const host of hosts) {
    const record = await store.get<NoopRecord>(NOOPS, `${env}/${host}`);
    if (!record) missing.push(host);
    else if (!record.ok) failed.push(host);
    else if (now - Date.parse(record.at) > maxAgeMs) old.push(host);
    else if (commit && record.version !== commit) elsewhere.push(host);
    else records.push(record);
  }
  const problems: string[] = [];
  if (missing.length) problems.push(`no noop of ${env} on ${formatHosts(missing)}`);
  if (failed.length) problems.push(`the last noop of ${env} failed on ${formatHosts(failed)}`);
  if (old.length) problems.push(`the noop of ${env} on ${formatHosts(old)} is older than ${formatDuration(maxAgeMs)}`);
  if (elsewhere.length)
    problems.push(
      `${env} is now at ${shortVersion(commit!)}; the noop on ${formatHosts(elsewhere)} ran at another commit`,
    );
  if (problems.length) return { ok: false, problems };
  const versions = new Set(records.map((r) => r.version));
  if (!commit && versions.size > 1)
    return { ok: false, problems: [`the noops of ${env} ran at different versions (${[...versions].join(", ")})`] };
  return { ok: true, version: commit ?? records[0]?.version, records };
}

/** The noops as one short text for an approval request: when, which job, and the grouped pending changes. */
export function describeNoops(records: NoopRecord[]): string {
  const byLine = new Map<string, string[]>();
  for (const record of records)
    for (const line of record.changes) byLine.set(line, [...(byLine.get(line) ?? []), record.host]);
  const oldest = Math.min(...records.map((r) => Date.parse(r.at)));
  const jobs = [...new Set(records.map((r) => r.job))].join(", ");
  const version = records[0]?.version ? ` at ${shortVersion(records[0].version)}` : "";
  const changes = byLine.size
    ? [...byLine].map(([line, hosts]) => `${line} on ${formatHosts(hosts)}`).join("; ")
    : "no changes pending";
  return `succeeded ${formatDuration(Date.now() - oldest)} ago${version} (job ${jobs}): ${changes}`;
}
