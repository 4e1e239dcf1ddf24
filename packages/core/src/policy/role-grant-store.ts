/**
 * How runtime role grants are kept in the store: one entry per (person, role), in the namespace `granted-roles`,
 * keyed `actor\0role`, whose value says who granted it (`{ by: "alice" }`; `{}` for a grant from before grantors were
 * kept). A grant is an insert-if-absent of its own entry and a revoke the delete of it: two changes of the same
 * person's grants touch different entries (or, for one role, decide by one atomic store call), so neither can undo
 * the other, on any store and through any number of instances.
 *
 * Before this layout (up to 0.x, "v1") a person's granted roles were one list (`role-grants`: actor → roles) with
 * the grantors apart (`role-grantors`: `actor\0role` → grantor), changed by read-modify-write: two changes at once
 * could lose one (a revoke undone by a concurrent grant of another role). {@link migrateRoleGrants} moves such
 * entries to this layout at start.
 * @module
 */
import type { Store } from "../store/store.js";

/** The namespace of runtime grants: `actor\0role` → {@link StoredGrant}. */
export const GRANTED = "granted-roles";
/** The v1 layout: actor → list of roles, and `actor\0role` → grantor. Read only to migrate and check it. */
export const LEGACY_GRANTS = "role-grants";
export const LEGACY_GRANTORS = "role-grantors";

/** The store key of one grant. */
export const grantKey = (actor: string, role: string): string => `${actor}\u0000${role}`;

/** The value of a grant's entry. */
export interface StoredGrant {
  /** Who granted it (absent for grants from before grantors were kept). */
  by?: string;
}

/** A grant's entry as read from the store; `problem` says why it is not what {@link grantKey} and {@link StoredGrant} make. */
export interface ReadGrant {
  actor: string;
  role: string;
  grantor: string | undefined;
  problem?: string;
}

/** Splits `actor\0role` (at the last NUL: roles come from the configuration, actor ids from networks). */
export function splitGrantKey(key: string): { actor: string; role: string } | undefined {
  const at = key.lastIndexOf("\u0000");
  if (at <= 0 || at === key.length - 1) return undefined;
  return { actor: key.slice(0, at), role: key.slice(at + 1) };
}

/** One entry of {@link GRANTED}, checked. */
export function readGrant(key: string, value: unknown): ReadGrant {
  const split = splitGrantKey(key);
  const isRecord = typeof value === "object" && value !== null && !Array.isArray(value);
  const by = isRecord ? (value as { by?: unknown }).by : undefined;
  const grant = {
    actor: split?.actor ?? key,
    role: split?.role ?? "",
    grantor: typeof by === "string" ? by : undefined,
  };
  if (!split) return { ...grant, problem: "the store key is not actor and role" };
  if (!isRecord || (by !== undefined && typeof by !== "string"))
    return { ...grant, problem: "the store entry is not a grant" };
  return grant;
}

/** Grants still in the v1 layout (none once {@link migrateRoleGrants} ran), with the v1 checks' problems. */
export async function readLegacyGrants(store: Store): Promise<ReadGrant[]> {
  const lists = await store.list<unknown>(LEGACY_GRANTS);
  if (lists.length === 0) return [];
  const grantors = new Map(await store.list<unknown>(LEGACY_GRANTORS));
  return lists.flatMap(([actor, roles]) => legacyGrantsOf(actor, roles, grantors));
}

function legacyGrantsOf(actor: string, roles: unknown, grantors: ReadonlyMap<string, unknown>): ReadGrant[] {
  if (!Array.isArray(roles))
    return [{ actor, role: String(roles), grantor: undefined, problem: "the store entry is not a list of roles" }];
  return roles.map((role): ReadGrant => {
    const by = grantors.get(grantKey(actor, String(role)));
    const grantor = typeof by === "string" ? by : undefined;
    return typeof role === "string"
      ? { actor, role, grantor }
      : { actor, role: String(role), grantor, problem: "the role is not a name" };
  });
}

/** What {@link migrateRoleGrants} did. */
export interface GrantMigration {
  /** Grants moved to the current layout. */
  moved: number;
  /** v1 entries that were no grant (not a list of roles, a role that is not a name): dropped, to be reported. */
  dropped: ReadGrant[];
}

/**
 * Moves v1 grants to the current layout (run at start, before the grants are checked and loaded; idempotent, and
 * safe with several instances starting at once). Each person's v1 list is first taken by deleting it (the store's
 * delete reports whether this call removed it, so one caller moves each list, and a list another instance already
 * moved is not put back after a revoke through it); then each role gets its entry with its grantor, and the v1
 * grantor entries are deleted. Entries that are no grant are dropped and returned, for the start check to report.
 */
export async function migrateRoleGrants(store: Store): Promise<GrantMigration> {
  const lists = await store.list<unknown>(LEGACY_GRANTS);
  const grantorEntries = await store.list<unknown>(LEGACY_GRANTORS);
  const migration: GrantMigration = { moved: 0, dropped: [] };
  if (lists.length === 0 && grantorEntries.length === 0) return migration;
  const grantors = new Map(grantorEntries);
  for (const [actor, roles] of lists) {
    if (!(await store.delete(LEGACY_GRANTS, actor))) continue;
    for (const grant of legacyGrantsOf(actor, roles, grantors)) {
      if (grant.problem) migration.dropped.push(grant);
      else if (await store.setIfAbsent<StoredGrant>(GRANTED, grantKey(actor, grant.role), storedGrant(grant.grantor)))
        migration.moved++;
    }
  }
  // Every v1 grantor entry goes: a moved grant carries its grantor, and one without a list behind it granted nothing.
  for (const [key] of grantorEntries) await store.delete(LEGACY_GRANTORS, key);
  return migration;
}

/** The value kept for a grant by `grantor`. */
export function storedGrant(grantor: string | undefined): StoredGrant {
  return grantor === undefined ? {} : { by: grantor };
}
