/**
 * Runs puppet on a list of hosts with bounded concurrency, claiming each host for the job so that two runs never
 * overlap on one host, and recording each finished run.
 * @module
 */
import { DeniedError, type Store } from "@switchboard/core";
import { formatHosts } from "./host-list.js";
import type { HostInventory } from "./inventory.js";
import { recordRun } from "./records.js";
import type { HostRun } from "./run-result.js";
import { failedRun } from "./runners/runner.js";
import type { HostClaim, PuppetState } from "./state.js";

/** Who is running, for claims and records. */
export interface RunOwner {
  job: string;
  actor: string;
  store: Store;
}

/**
 * Claims hosts for a job in one synchronous step; throws a DeniedError naming the jobs holding any of them.
 * Returns the release function.
 */
export function claimHosts(state: PuppetState, hosts: string[], claim: HostClaim): () => void {
  const taken = hosts.filter((h) => state.busy.has(h) && state.busy.get(h)!.job !== claim.job);
  if (taken.length) {
    const holders = [...new Set(taken.map((h) => state.busy.get(h)!))]
      .map((c) => `${c.what} (job ${c.job}, ${c.actor})`)
      .join("; ");
    throw new DeniedError(
      `${formatHosts(taken)} ${taken.length === 1 ? "is" : "are"} busy: ${holders}; try again when it has finished`,
      "puppet host busy",
    );
  }
  const mine = hosts.filter((h) => !state.busy.has(h));
  for (const host of mine) state.busy.set(host, claim);
  return () => {
    for (const host of mine) if (state.busy.get(host)?.job === claim.job) state.busy.delete(host);
  };
}

/** Options for {@link runHosts}. */
export interface RunHostsOptions {
  env: string;
  mode: "noop" | "apply";
  hosts: string[];
  inventory: HostInventory;
  owner: RunOwner;
  /** The environment's commit when known (recorded with noops). */
  version: string | undefined;
  concurrency: number;
  signal: AbortSignal;
  /** Called as each host finishes. */
  onResult?: (run: HostRun) => void;
}

/** Runs the hosts, at most `concurrency` at once; results in the order of `hosts`. */
export async function runHosts(state: PuppetState, options: RunHostsOptions): Promise<HostRun[]> {
  const results: HostRun[] = new Array(options.hosts.length);
  let next = 0;
  const worker = async () => {
    while (next < options.hosts.length) {
      const index = next++;
      const name = options.hosts[index]!;
      const host = options.inventory.hosts.get(name);
      const request = {
        host: host ?? { name, config: {} },
        env: options.env,
        mode: options.mode,
        jobId: options.owner.job,
        signal: options.signal,
        timeoutMs: state.config.runTimeout,
      };
      // The inventory file may have changed since the hosts were checked: a host that left it is not run.
      const run = host
        ? await state.runner.run(request)
        : failedRun(request, Date.now(), "no longer in the inventory; not run");
      results[index] = run;
      await recordRun(options.owner.store, run, {
        job: options.owner.job,
        actor: options.owner.actor,
        version: options.version,
      });
      options.onResult?.(run);
    }
  };
  const workers = Math.min(options.concurrency, options.hosts.length);
  await Promise.all(Array.from({ length: workers }, worker));
  return results;
}
