/**
 * A site's instances read together: which site a command means, and a snapshot of every instance's servers (an
 * instance that does not answer is reported, not hidden).
 * @module
 */
import { UserError } from "@switchboard/core";
import type { LbConfig } from "./config.js";
import type { Haproxy, ServerStatus } from "./haproxy.js";
import { ownValue } from "./names.js";

/** One instance's answer to `show stat`, or why it gave none. */
export type Snapshot =
  | { instance: Haproxy; servers: ServerStatus[]; error?: undefined }
  | { instance: Haproxy; servers?: undefined; error: string };

/** The site a command means: `--site`, else `defaultSite`, else the only one. */
export function siteName(config: LbConfig, site: string | undefined): string {
  const names = Object.keys(config.sites);
  const chosen = site?.toLowerCase() ?? config.defaultSite ?? (names.length === 1 ? names[0] : undefined);
  if (chosen === undefined) throw new UserError(`which site? Add --site (${names.join(", ")})`);
  if (!ownValue(config.sites, chosen)) throw new UserError(`no site "${chosen}"; sites: ${names.join(", ")}`);
  return chosen;
}

/** Reads every instance of a site at once. */
export async function snapshot(instances: Haproxy[], signal?: AbortSignal): Promise<Snapshot[]> {
  return Promise.all(
    instances.map(async (instance): Promise<Snapshot> => {
      try {
        return { instance, servers: await instance.servers(signal) };
      } catch (error) {
        return { instance, error: (error as Error).message };
      }
    }),
  );
}

/** The snapshots that answered; a UserError naming each failure when none did. */
export function answered(snapshots: Snapshot[], site: string): Array<Snapshot & { servers: ServerStatus[] }> {
  const ok = snapshots.filter((s): s is Snapshot & { servers: ServerStatus[] } => s.servers !== undefined);
  if (ok.length === 0)
    throw new UserError(
      `no HAProxy instance of ${site} answered: ${snapshots.map((s) => `${s.instance.name}: ${s.error}`).join("; ")}`,
    );
  return ok;
}

/** The backends present on any answering instance, sorted. */
export function backendsOf(snapshots: Snapshot[]): string[] {
  return [...new Set(snapshots.flatMap((s) => s.servers?.map((r) => r.backend) ?? []))].sort();
}
