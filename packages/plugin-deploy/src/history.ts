/**
 * Deploy history in the plugin's store: one record per deploy (who, what ref and commit, where, when, outcome,
 * duration, approvers), newest kept, oldest pruned beyond `historySize` per app and environment.
 * @module
 */
import type { Store } from "@switchboard/core";

const NAMESPACE = "history";

/** How a deploy ended (or that it is still running). */
export type DeployOutcome = "running" | "succeeded" | "failed" | "cancelled" | "timed-out";

/** One deploy. */
export interface DeployRecord {
  /** The job id. */
  job: string;
  app: string;
  env: string;
  ref: string;
  sha: string;
  hosts: string[];
  /** Principal id of the requester, and what to call them. */
  actor: string;
  actorName: string;
  /** Principal ids of the approvers. */
  approvers: string[];
  force: boolean;
  /** The job whose deploy this rollback replaced, for rollbacks. */
  rollbackOf?: string;
  /** The task, for `deploy:<task>` (absent for a plain deploy). */
  task?: string;
  provider: "command" | "github";
  outcome: DeployOutcome;
  /** ISO time. */
  startedAt: string;
  finishedAt?: string;
  durationMs?: number;
  /** Exit code, deployment id, error. */
  detail?: string;
}

const keyOf = (r: DeployRecord) => `${r.app}/${r.env}/${r.startedAt}/${r.job}`;

/** Reads and writes deploy records. */
export class History {
  constructor(
    private readonly store: Store,
    private readonly size: number,
  ) {}

  /** Records a deploy that is starting, and prunes the oldest records of its app and environment. */
  async start(record: DeployRecord): Promise<void> {
    await this.store.set(NAMESPACE, keyOf(record), record);
    const all = await this.store.list<DeployRecord>(NAMESPACE, `${record.app}/${record.env}/`);
    for (const [key] of all.slice(0, Math.max(0, all.length - this.size))) await this.store.delete(NAMESPACE, key);
  }

  /** Records how a deploy ended. */
  async finish(record: DeployRecord, outcome: DeployOutcome, detail?: string): Promise<DeployRecord> {
    const finishedAt = new Date();
    const done: DeployRecord = {
      ...record,
      outcome,
      finishedAt: finishedAt.toISOString(),
      durationMs: finishedAt.getTime() - Date.parse(record.startedAt),
      ...(detail ? { detail } : {}),
    };
    await this.store.set(NAMESPACE, keyOf(record), done);
    return done;
  }

  /** Records of an app (optionally one environment), newest first. */
  async list(app: string, env?: string): Promise<DeployRecord[]> {
    const entries = await this.store.list<DeployRecord>(NAMESPACE, env ? `${app}/${env}/` : `${app}/`);
    return entries
      .map(([, r]) => r)
      .sort((a, b) => (a.startedAt < b.startedAt ? 1 : a.startedAt > b.startedAt ? -1 : 0));
  }

  /**
   * What a rollback of app/env deploys: the newest successful deploy before the current one (the newest successful
   * deploy) whose commit differs from it. Undefined when there is none.
   */
  async rollbackTarget(app: string, env: string): Promise<{ current: DeployRecord; target: DeployRecord } | undefined> {
    const good = (await this.list(app, env)).filter((r) => r.outcome === "succeeded");
    const current = good[0];
    if (!current) return undefined;
    const target = good.find((r) => r.sha !== current.sha);
    return target ? { current, target } : undefined;
  }
}
