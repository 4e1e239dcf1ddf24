/**
 * Runtime role grants live in the store, in the same file as the audit log. Someone who can write that file could
 * give themselves a role; so a grant counts only when the verified audit chain has the `role grant` entry behind it
 * (by the same grantor, not revoked later). Checked at start (before grants are loaded) and by `audit verify`.
 * @module
 */
import type { AuditEntry, AuditLog } from "../audit/audit.js";
import { type AnchoredVerifyResult, describeAnchorProblem, verifyAnchored } from "../audit/audit-anchor.js";
import type { AuditHead } from "../audit/audit-checkpoint.js";
import { isAnchoredAuditLog } from "../audit/checkpointing-audit-log.js";
import type { Logger } from "../runtime/logger.js";
import type { Store } from "../store/store.js";
import {
  GRANTED,
  grantKey,
  LEGACY_GRANTORS,
  LEGACY_GRANTS,
  migrateRoleGrants,
  type ReadGrant,
  readGrant,
  readLegacyGrants,
} from "./role-grant-store.js";

/** A grant in the store that the audit log does not back. */
export interface UnauditedGrant {
  actor: string;
  role: string;
  /** Who the store says granted it. */
  grantor: string | undefined;
  reason: string;
}

/**
 * Where a refused grant is kept: the key of its entry in the current layout (which may not be what grantKey makes),
 * or null when it is gone already (dropped by the migration). Absent: the v1 layout.
 */
const entries = new WeakMap<UnauditedGrant, string | null>();

/** What {@link auditRoleGrants} found. */
export interface RoleGrantAudit {
  /** Runtime grants in the store. */
  grants: number;
  /** The entries up to this seq were trusted (intact, and vouched for by a checkpoint when there are any). */
  trustedThrough: number;
  /** The chain walk; undefined when the store holds no grants (nothing to check, the chain was not read). */
  verified: AnchoredVerifyResult | undefined;
  refused: UnauditedGrant[];
}

/** A role change as the `role` builtin writes it. */
interface RoleChange {
  seq: number;
  change: string;
  role: string;
  target: string;
  grantor: string | undefined;
}

function roleChangeOf(entry: AuditEntry): RoleChange | undefined {
  if (entry.event !== "role") return undefined;
  const { change, role, target } = entry.detail ?? {};
  if (typeof change !== "string" || typeof role !== "string" || typeof target !== "string") return undefined;
  return { seq: entry.seq, change, role, target, grantor: entry.actor };
}

/**
 * Compares the store's runtime grants with the role entries of the verified chain. `checkpoints` are the
 * signature-checked checkpoints (undefined: none are kept, so the intact chain is trusted as it is; an empty list:
 * checkpoints are kept but none exists, so nothing is trusted). Reads the whole chain only when there are grants.
 */
export async function auditRoleGrants(
  store: Store,
  auditLog: Pick<AuditLog, "entries">,
  checkpoints: readonly AuditHead[] | undefined,
): Promise<RoleGrantAudit> {
  // The current layout, and grants still in the v1 layout (`audit verify` on a store no bot started since).
  const stored: Array<ReadGrant & { entry?: string }> = (await store.list<unknown>(GRANTED)).map(([key, value]) => ({
    ...readGrant(key, value),
    entry: key,
  }));
  stored.push(...(await readLegacyGrants(store)));
  if (stored.length === 0) return { grants: 0, trustedThrough: 0, verified: undefined, refused: [] };

  const changes: RoleChange[] = [];
  const verified = await verifyAnchored(auditLog.entries(), {
    ...(checkpoints ? { checkpoints } : {}),
    onEntry: (entry) => {
      const change = roleChangeOf(entry);
      if (change) changes.push(change);
    },
  });
  const trustedThrough = checkpoints === undefined ? verified.chain.checked : (verified.anchor?.seq ?? 0);
  const live = new Map<string, RoleChange>();
  const untrusted = new Map<string, RoleChange>();
  for (const change of changes) {
    const key = grantKey(change.target, change.role);
    const into = change.seq <= trustedThrough ? live : untrusted;
    if (change.change === "grant") into.set(key, change);
    else into.delete(key);
  }

  const refused: UnauditedGrant[] = [];
  let grants = 0;
  for (const { actor, role, grantor: storedGrantor, problem, entry } of stored) {
    if (problem === "the store entry is not a list of roles") {
      refused.push({ actor, role, grantor: undefined, reason: problem });
      continue;
    }
    grants++;
    const key = grantKey(actor, role);
    const backing = live.get(key);
    let reason: string | undefined;
    if (problem) reason = problem;
    else if (!backing) {
      const late = untrusted.get(key);
      reason = late
        ? `its audit entry #${late.seq} is not vouched for by a checkpoint (the log is trusted up to entry #${trustedThrough})`
        : trustedThrough < verified.chain.checked || !verified.chain.ok
          ? `no trusted audit entry grants it (the log is trusted up to entry #${trustedThrough})`
          : "no audit entry grants it";
    } else if (storedGrantor !== undefined && storedGrantor !== backing.grantor)
      reason = `the store says ${storedGrantor} granted it, but audit entry #${backing.seq} says ${backing.grantor ?? "nobody"}`;
    if (!reason) continue;
    const refusal: UnauditedGrant = { actor, role, grantor: storedGrantor, reason };
    if (entry !== undefined) entries.set(refusal, entry);
    refused.push(refusal);
  }
  return { grants, trustedThrough, verified, refused };
}

/** Removes one refused grant from the store (its entry; in a v1 store not migrated, from the actor's list). */
async function removeGrant(store: Store, grant: UnauditedGrant): Promise<void> {
  const entry = entries.get(grant);
  if (entry !== undefined) {
    if (entry !== null) await store.delete(GRANTED, entry);
    return;
  }
  const roles = await store.get<unknown>(LEGACY_GRANTS, grant.actor);
  if (roles === undefined) return;
  const rest = Array.isArray(roles) ? roles.filter((r) => String(r) !== grant.role) : [];
  if (rest.length > 0) await store.set(LEGACY_GRANTS, grant.actor, rest);
  else await store.delete(LEGACY_GRANTS, grant.actor);
  await store.delete(LEGACY_GRANTORS, grantKey(grant.actor, grant.role));
}

/**
 * The start-time check: every runtime grant without a trusted audit entry behind it is removed from the store
 * (so it is never loaded), logged as an error and recorded in the audit log (`role` entry, change `refused`).
 * A chain that is broken or does not match its checkpoints is logged and recorded too. Uses the audit log's
 * checkpoints when it is an {@link AnchoredAuditLog}.
 */
export async function refuseUnauditedGrants(store: Store, auditLog: AuditLog, logger: Logger): Promise<RoleGrantAudit> {
  const migration = await migrateRoleGrants(store);
  if (migration.moved > 0)
    logger.info({ moved: migration.moved }, `runtime role grants: ${migration.moved} moved to one store entry each`);
  const checkpoints = isAnchoredAuditLog(auditLog) ? auditLog.checkpoints() : undefined;
  const result = await auditRoleGrants(store, auditLog, checkpoints);
  // v1 entries that were no grant at all were dropped by the migration (nothing left to remove): reported as before.
  const dropped = migration.dropped.map(({ actor, role, problem }): UnauditedGrant => {
    const refusal = { actor, role, grantor: undefined, reason: problem ?? "not a grant" };
    entries.set(refusal, null);
    return refusal;
  });
  result.refused.push(...dropped);
  const verified = result.verified;
  if (verified && !verified.ok) {
    const problem = verified.chain.ok
      ? describeAnchorProblem(verified.problems[0]!)
      : `entry #${verified.chain.firstBad.seq}: ${verified.chain.firstBad.reason}`;
    logger.error(
      { problem },
      `audit log: ${problem}; runtime role grants are trusted only up to entry #${result.trustedThrough}`,
    );
    await auditLog.append([{ event: "error", command: "audit check", detail: { problem } }]);
  }
  for (const grant of result.refused) {
    await removeGrant(store, grant);
    logger.error(
      { actor: grant.actor, role: grant.role, grantor: grant.grantor, reason: grant.reason },
      `refused runtime role grant: ${grant.role} for ${grant.actor}: ${grant.reason}`,
    );
    await auditLog.append([
      {
        event: "role",
        command: "role check",
        detail: {
          change: "refused",
          role: grant.role,
          target: grant.actor,
          reason: grant.reason,
          ...(grant.grantor ? { claimedGrantor: grant.grantor } : {}),
        },
      },
    ]);
  }
  return result;
}
