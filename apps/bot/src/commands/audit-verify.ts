import { existsSync } from "node:fs";
import { resolve } from "node:path";
import {
  type AnchoredVerifyResult,
  type AuditCheckpoint,
  auditRoleGrants,
  describeAnchorProblem,
  type KeptHead,
  type RoleGrantAudit,
  verifyAnchored,
} from "@switchboard/core/audit";
import type { StoredCheckpoints } from "@switchboard/store-postgres";
import {
  type AuditFiles,
  adoptPathCheckpoints,
  auditFiles,
  formerCheckpointFiles,
  loadPublicKey,
  readCheckpointFile,
} from "../audit-anchor.js";
import type { TrustedKey } from "../audit-keyring.js";
import { applyReanchors, describeReanchor, type Reanchor } from "../audit-reanchor.js";
import { checkRows, configuredKeys, describeSigners, keysToTrust, mergeWithFile } from "../audit-shared-checkpoints.js";
import { type AuditSourceOptions, openAudit } from "../audit-storage.js";
import { readTrustedAnchors } from "../audit-trust.js";
import { CliError } from "../cli-error.js";
import type { AuditSection } from "../config/schema.js";

/** Options of `switchboard audit verify`. */
export interface AuditVerifyOptions extends AuditSourceOptions {
  /** A head someone kept: `<hash>` or `<seq>:<hash>`. */
  head?: string;
  /** The audit key (private, or its `.pub`); default `audit.keyFile`. */
  key?: string;
  /** The checkpoint file; default `audit.checkpointFile`. */
  checkpoints?: string;
}

/** Parses `--head`: `<hash>`, `<seq>:<hash>` or `#<seq>:<hash>`. */
export function parseKeptHead(text: string): KeptHead {
  const match = /^(?:#?(\d+):)?([0-9a-f]{64})$/.exec(text.trim().toLowerCase());
  if (!match) throw new CliError(`--head wants a 64-digit hex hash, or <seq>:<hash> (got "${text}")`);
  return match[1] === undefined ? { hash: match[2]! } : { seq: Number(match[1]), hash: match[2]! };
}

/** What the checkpoint file holds, as far as verification goes. */
interface Anchors {
  files: AuditFiles;
  /** Where the checkpoints were read from, for the report. */
  where: string;
  /** This machine's keys (current and rotated-away), empty without a key. */
  keys: TrustedKey[];
  /** The operator's re-anchors recorded on this machine. */
  reanchors: Reanchor[];
  /** Undefined when there is no key at all: checkpoints were never made. */
  checkpoints: AuditCheckpoint[] | undefined;
  bad: string[];
  fileMissing: boolean;
  /** What verification should also say: re-anchors, rotated keys, checkpoints of a lost key. */
  notes: string[];
}

function readAnchors(files: AuditFiles): Anchors {
  const publicKey = loadPublicKey(files);
  if (!publicKey) {
    // Checkpoints without the key that made them: deleting the key must not turn verification off.
    const orphaned = existsSync(files.checkpointFile)
      ? [
          `${files.checkpointFile} holds checkpoints, but there is no audit key at ${files.keyFile} (nor ${files.publicKeyFile}) to check them: name a kept copy of the public key with --key`,
        ]
      : [];
    return {
      files,
      where: files.checkpointFile,
      keys: [],
      reanchors: [],
      checkpoints: undefined,
      bad: orphaned,
      fileMissing: false,
      notes: [],
    };
  }
  const read = readTrustedAnchors(files, publicKey);
  const bad = read.bad.map(
    (b) =>
      `checkpoint line ${b.line} of ${files.checkpointFile}${b.seq === undefined ? "" : ` (entry #${b.seq})`}: ${b.reason}`,
  );
  bad.push(...read.badReanchors);
  const notes = [
    ...read.keys
      .filter((key) => key.rotation)
      .map(
        (key) =>
          `key: ${key.keyId} was retired at ${key.retiredAt} by ${key.rotation!.by} for ${key.rotation!.to} (${key.rotation!.fromSignature ? "cross-signed by both keys" : "the old key was lost: signed by the new key only"}; ${key.rotation!.reason})`,
      ),
    ...read.reanchors.map(describeReanchor),
  ];
  if (read.unverifiable.length > 0)
    notes.push(
      `unverifiable: ${read.unverifiable.length} checkpoints of lost key ${read.unverifiable[0]!.keyId} vouch for nothing (its public key was not kept)`,
    );
  return {
    files,
    where: files.checkpointFile,
    keys: read.keys,
    reanchors: read.reanchors,
    checkpoints: read.checkpoints,
    bad,
    fileMissing: !read.exists,
    notes,
  };
}

/**
 * PostgreSQL: adds the shared `audit_checkpoints` rows, checked against `audit.trustedKeys` and this machine's
 * keys. A row by another key or with a bad signature is reported as bad; a checkpoint of the local file that the
 * table lost is noted (the file's copy still counts).
 */
function withSharedCheckpoints(anchors: Anchors, section: AuditSection, stored: StoredCheckpoints): Anchors {
  const configured = configuredKeys(section);
  const keys = keysToTrust(configured, anchors.keys, anchors.files.keyFile);
  const rows = checkRows(stored.rows, keys);
  const merged = mergeWithFile(rows.checkpoints, anchors.checkpoints ?? [], stored);
  const deleted = merged.deleted.map(
    (c) =>
      `deleted: the checkpoint of entry #${c.seq} signed at ${c.time} by key ${c.keyId} is in ${anchors.files.checkpointFile} but no longer in audit_checkpoints (its row was deleted; the file's copy still anchors the log)`,
  );
  const where = anchors.checkpoints === undefined ? "audit_checkpoints" : `audit_checkpoints and ${anchors.where}`;
  return {
    ...anchors,
    where,
    // This machine's re-anchors (after a restore) set aside what they replaced, in the table as in the file.
    checkpoints: keys.length === 0 ? undefined : applyReanchors(merged.checkpoints, anchors.reanchors),
    bad: [...anchors.bad, ...rows.bad],
    notes: [...describeSigners(rows.checkpoints), ...deleted, ...anchors.notes],
  };
}

/** The report's lines: `bad: …` lines first (any makes the exit code 1), then what was checked. */
function report(
  anchors: Anchors,
  result: AnchoredVerifyResult,
  grants: RoleGrantAudit,
  heads: KeptHead[],
  path: string,
  shared: boolean,
): { bad: string[]; info: string[] } {
  const bad: string[] = [];
  const info: string[] = [];
  const { chain } = result;
  if (!chain.ok) {
    const intact =
      chain.checked === 1 ? "1 entry before it is intact" : `${chain.checked} entries before it are intact`;
    bad.push(`entry #${chain.firstBad.seq}: ${chain.firstBad.reason}; ${intact} (${path})`);
  }
  for (const problem of result.problems) bad.push(`${describeAnchorProblem(problem)} (${path})`);
  bad.push(...anchors.bad);
  const { checkpoints, files } = anchors;
  if (checkpoints === undefined) {
    info.push(
      `not anchored: no audit key at ${files.keyFile}${shared ? " and no audit.trustedKeys" : ""} (the bot creates the key on its first start); a recomputed or cut-off tail cannot be detected`,
    );
  } else if (checkpoints.length === 0 && chain.checked > 0 && chain.ok) {
    bad.push(
      shared
        ? `no checkpoint vouches for this log: neither audit_checkpoints nor ${files.checkpointFile} holds a valid checkpoint of a trusted key (see audit.trustedKeys)`
        : `no checkpoint vouches for this log: ${files.checkpointFile} ${anchors.fileMissing ? "does not exist" : "holds no valid checkpoint"} (a copy of the database? name the original's file with --checkpoints)`,
    );
  } else if (result.anchor) {
    const newer = result.unanchored === 1 ? "1 newer entry is" : `${result.unanchored} newer entries are`;
    info.push(
      `anchored: entry #${result.anchor.seq} matches the checkpoint signed at ${result.anchor.time} (${checkpoints.length} checkpoints in ${anchors.where}); ${newer} not checkpointed yet`,
    );
  }
  info.push(...anchors.notes);
  for (const head of heads) {
    const seq = head.seq ?? result.headsFound.get(head.hash);
    if (seq !== undefined && !result.problems.some((p) => p.source === "head" && p.anchor.hash === head.hash))
      info.push(`head: entry #${seq} has the kept hash ${head.hash}`);
  }
  for (const grant of grants.refused)
    bad.push(
      `runtime grant of role ${grant.role} to ${grant.actor}${grant.grantor ? ` (by ${grant.grantor})` : ""}: ${grant.reason}; the bot refuses it at start`,
    );
  if (grants.grants > 0 && grants.refused.length === 0)
    info.push(`grants: ${grants.grants} runtime role grants, each backed by a trusted audit entry`);
  return { bad, info };
}

/**
 * `switchboard audit verify [--head H] [--key F] [--checkpoints F]`: walks the hash chain and compares it with the
 * signed checkpoints and a kept head; checks the runtime role grants against the chain. Prints
 * `ok: N entries, last hash H (db)` and what anchored it (exit 0), or one `bad: …` line per problem (exit 1):
 * the first bad entry, a checkpoint the log no longer matches ("recomputed or cut off after entry #N"), a forged
 * checkpoint line, a grant with no audit entry behind it.
 */
export async function auditVerifyCommand(options: AuditVerifyOptions): Promise<number> {
  const heads = options.head === undefined ? [] : [parseKeptHead(options.head)];
  // Paths given on the command line are relative to where it was started (openAudit enters the config's folder).
  const keyOption = options.key === undefined ? undefined : resolve(options.key);
  const checkpointsOption = options.checkpoints === undefined ? undefined : resolve(options.checkpoints);
  const { path, database, auditLog, store, audit, shared, close } = await openAudit(options);
  try {
    const section = {
      ...audit,
      ...(keyOption ? { keyFile: keyOption } : {}),
      ...(checkpointsOption ? { checkpointFile: checkpointsOption } : {}),
    };
    const files = auditFiles(section, path, false, database);
    adoptPathCheckpoints(section, files, path, database);
    const local = readAnchors(files);
    const anchors = shared ? withSharedCheckpoints(local, section, shared) : local;
    // Checkpoints of a database deleted or replaced at this path: said plainly, never compared with this one.
    const warnings = formerCheckpointFiles(section, files, path, database).map((former) => {
      const publicKey = loadPublicKey(files);
      const count = publicKey ? (readCheckpointFile(former.file, publicKey)?.checkpoints.length ?? 0) : 0;
      const whose = former.id ? `database ${former.id}` : "a database from before database ids";
      return (
        `warning: ${former.file} holds ${count} checkpoints of ${whose}, which is no longer at ${path} ` +
        `(the database there now is ${database.id}, created ${database.createdAt}). If you deleted or replaced it, ` +
        "move that file away; if nobody did, someone replaced the database."
      );
    });
    let result: AnchoredVerifyResult;
    let grants: RoleGrantAudit;
    try {
      result = await verifyAnchored(auditLog.entries(), { checkpoints: anchors.checkpoints ?? [], heads });
      grants = await auditRoleGrants(store, auditLog, anchors.checkpoints);
    } catch (error) {
      // The store refuses to decode a row it cannot read (e.g. a body that is not JSON); it names the entry.
      process.stdout.write(`bad: ${error instanceof Error ? error.message : String(error)} (${path})\n`);
      return 1;
    }
    const { bad, info } = report(anchors, result, grants, heads, path, shared !== undefined);
    const lines = bad.length
      ? bad.map((line) => `bad: ${line}`)
      : [`ok: ${result.chain.checked} entries, last hash ${result.chain.ok ? result.chain.lastHash : ""} (${path})`];
    process.stdout.write(`${[...lines, ...warnings, ...info].join("\n")}\n`);
    return bad.length ? 1 : 0;
  } finally {
    close();
  }
}
