/**
 * A change to one server on every instance of a site: finding the server in the live lists, the last-server guard,
 * applying the change and reading the result back from HAProxy.
 * @module
 */
import { DeniedError, UserError } from "@switchboard/core";
import { type Haproxy, isServing, type ServerStatus } from "./haproxy.js";
import { answered, backendsOf, type Snapshot } from "./site.js";

/** What a command does to a server. */
export type Action = { kind: "drain" } | { kind: "disable" } | { kind: "enable" } | { kind: "weight"; weight: number };

/** Whether the action stops new traffic to the server. */
export function takesOut(action: Action): boolean {
  return action.kind === "drain" || action.kind === "disable" || (action.kind === "weight" && action.weight === 0);
}

/** The action in words (`disable`, `weight 0`). */
export function describeAction(action: Action): string {
  return action.kind === "weight" ? `weight ${action.weight}` : action.kind;
}

/** The server's row on one instance. */
export interface Located {
  instance: Haproxy;
  row: ServerStatus;
  /** Every server of the backend on that instance. */
  backend: ServerStatus[];
}

/**
 * Finds `backend/server` on every instance that answered. Refuses (naming the live names) when the backend or the
 * server is on none of them, or is missing on one: a change must mean the same server everywhere.
 */
export function locate(snapshots: Snapshot[], site: string, backend: string, server: string): Located[] {
  const ok = answered(snapshots, site);
  const located: Located[] = [];
  for (const snap of ok) {
    const rows = snap.servers.filter((r) => r.backend === backend);
    if (rows.length === 0) {
      const known = backendsOf(ok);
      throw new UserError(
        `${snap.instance.name} has no backend ${backend}`,
        `backends on ${site}: ${known.join(", ") || "none"}`,
      );
    }
    const row = rows.find((r) => r.server === server);
    if (!row)
      throw new UserError(
        `${snap.instance.name} has no server ${server} in ${backend}`,
        `servers of ${backend}: ${rows.map((r) => r.server).join(", ")}`,
      );
    located.push({ instance: snap.instance, row, backend: rows });
  }
  return located;
}

/** The instances on which `server` is the last one of its backend taking traffic. */
export function lastServing(located: Located[]): string[] {
  return located
    .filter((l) => isServing(l.row) && !l.backend.some((r) => r.server !== l.row.server && isServing(r)))
    .map((l) => l.instance.name);
}

/** Refuses to take out the last serving server unless forced (a denial, audited with its rule). */
export function guardLastServer(located: Located[], action: Action, { force }: { force: boolean }): void {
  if (!takesOut(action) || force) return;
  const last = lastServing(located);
  if (last.length === 0) return;
  const { backend, server } = located[0]!.row;
  throw new DeniedError(
    `${backend}/${server} is the last server of ${backend} taking traffic on ${last.join(", ")}; ` +
      `${describeAction(action)} would leave ${backend} with none. Add --force to do it anyway (needs lb:force)`,
    "lb last-server guard",
  );
}

/** The facts an approver sees and the audit log keeps: each instance's state and sessions of the server. */
export function factsOf(located: Located[]): { state: string; sessions: string } {
  return {
    state: located.map((l) => `${l.instance.name}: ${l.row.status}, weight ${l.row.weight}`).join("; "),
    sessions: located.map((l) => `${l.instance.name}: ${l.row.current} current, ${l.row.total} total`).join("; "),
  };
}

/** Applies the action on one instance. */
export function apply(instance: Haproxy, backend: string, server: string, action: Action, signal: AbortSignal) {
  switch (action.kind) {
    case "drain":
      return instance.setState(backend, server, "drain", signal);
    case "disable":
      return instance.setState(backend, server, "maint", signal);
    case "enable":
      return instance.setState(backend, server, "ready", signal);
    case "weight":
      return instance.setWeight(backend, server, action.weight, signal);
  }
}
