/**
 * Arguments the puppet commands share, and the steps their checks share.
 * @module
 */
import { arg, DeniedError, UserError } from "@switchboard/core";
import { resolveEnvironment } from "../environments.js";
import { formatHosts } from "../host-list.js";
import { type HostInventory, loadInventory, type Target } from "../inventory.js";
import type { PuppetState } from "../state.js";

/** `<env>`: a branch or a Puppet environment. */
export const envArg = arg.string({
  positional: true,
  required: true,
  description: "a branch (gh13, feature/x) or a Puppet environment (production)",
});

/** `<target>`: a host, a group, a glob or all. */
export const targetArg = arg.string({
  positional: true,
  required: true,
  description: "a host (fs1), a group (fileservers), a glob over host names (fs*) or all",
});

/** Normalises env and target: a branch becomes its environment (validated), the target is trimmed. */
export function prepareTarget<A extends { env: string; target: string }>(state: PuppetState, args: A): A {
  return { ...args, env: resolveEnvironment(state.config, args.env), target: args.target.trim() };
}

/** The inventory and the hosts of a target. */
export function resolveTarget(state: PuppetState, target: string): { inventory: HostInventory; target: Target } {
  const inventory = loadInventory(state.config);
  return { inventory, target: inventory.resolve(target) };
}

/** Refuses (before any approval) when hosts are busy with another job of this process. */
export function refuseBusy(state: PuppetState, hosts: string[], job: string): void {
  const taken = hosts.filter((h) => state.busy.has(h) && state.busy.get(h)!.job !== job);
  if (taken.length === 0) return;
  const claim = state.busy.get(taken[0]!)!;
  throw new DeniedError(
    `${formatHosts(taken)} ${taken.length === 1 ? "is" : "are"} busy: ${claim.what} (job ${claim.job}, ${claim.actor}); try again when it has finished`,
    "puppet host busy",
  );
}

/** The hosts a check fixed (comma-separated in the checked facts, so the approval shows them exactly). */
export function checkedHosts(checked: Record<string, unknown>): string[] {
  const hosts = typeof checked.hosts === "string" ? checked.hosts.split(",").filter(Boolean) : [];
  if (hosts.length === 0) throw new UserError("no hosts were checked for this run");
  return hosts;
}
