/**
 * Checkpoints of several instances on one PostgreSQL database: every instance signs with its own key and stores its
 * checkpoints in the database's `audit_checkpoints` table (and in its own checkpoint file, as a copy the database
 * cannot take away). The keys whose signatures count are listed in `audit.trustedKeys`, plus the key of the machine
 * reading them. Here: loading those keys, checking every row, and merging the rows with the local file.
 * @module
 */
import type { KeyObject } from "node:crypto";
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { type AuditCheckpoint, checkpointPublicKey, keyIdOf, verifyCheckpoint } from "@switchboard/core/audit";
import type { StoredCheckpoint, StoredCheckpoints } from "@switchboard/store-postgres";
import type { TrustedKey } from "./audit-keyring.js";
import { CliError } from "./cli-error.js";
import type { AuditSection } from "./config/schema.js";

/** A key whose checkpoints count, with the name people know it by. */
export interface NamedKey {
  name: string;
  keyId: string;
  publicKey: KeyObject;
  /** A retired key (`retiredAt` in the configuration, or `audit rotate-key` here): its checkpoints count up to this time. */
  retiredAt?: string;
}

/**
 * The keys of `audit.trustedKeys` (file paths resolve from the working directory, i.e. the configuration's folder).
 * @throws CliError naming the entry when a key cannot be read or is not an Ed25519 public key.
 */
export function configuredKeys(section: AuditSection): NamedKey[] {
  return section.trustedKeys.map((entry, index) => {
    const where = `audit.trustedKeys[${index}] (${entry.name})`;
    let pem = entry.publicKey;
    if (pem === undefined) {
      const file = resolve(entry.publicKeyFile!);
      try {
        pem = readFileSync(file, "utf8");
      } catch (error) {
        throw new CliError(`${where}: cannot read ${file}: ${(error as Error).message}`);
      }
    }
    if (pem.includes("PRIVATE KEY"))
      throw new CliError(`${where} is a private key: list the public key (the .pub file beside the key) instead`);
    let publicKey: KeyObject;
    try {
      publicKey = checkpointPublicKey(pem);
    } catch (error) {
      throw new CliError(`${where} is not a usable public key: ${(error as Error).message}`);
    }
    return {
      name: entry.name,
      keyId: keyIdOf(publicKey),
      publicKey,
      ...(entry.retiredAt === undefined ? {} : { retiredAt: new Date(entry.retiredAt).toISOString() }),
    };
  });
}

/**
 * The keys to check rows with: the configured ones, then this machine's (current and rotated-away, as the keyring
 * trusts them), each key once.
 */
export function keysToTrust(configured: NamedKey[], local: readonly TrustedKey[], keyFile: string): NamedKey[] {
  const keys = [...configured];
  for (const key of local) {
    if (!key.publicKey || keys.some((k) => k.keyId === key.keyId)) continue;
    keys.push({
      name: key.retiredAt ? `the retired key of ${keyFile}` : `this machine's key ${keyFile}`,
      keyId: key.keyId,
      publicKey: key.publicKey,
      ...(key.retiredAt ? { retiredAt: key.retiredAt } : {}),
    });
  }
  return keys;
}

/** A valid row: its checkpoint, and which key and instance it came from. */
export interface SharedCheckpoint extends AuditCheckpoint {
  row: number;
  instance: string;
  keyName: string;
}

/** What {@link checkRows} found. */
export interface CheckedRows {
  /** Rows with a valid signature by a trusted key, by seq. */
  checkpoints: SharedCheckpoint[];
  /** One sentence per row that is not a valid checkpoint of a trusted key (forged, edited, untrusted key). */
  bad: string[];
}

const HASH = /^[0-9a-f]{64}$/;

function rowName(row: StoredCheckpoint): string {
  return `checkpoint row ${row.id} of audit_checkpoints (entry #${row.seq}, written by instance ${row.instance})`;
}

/** Checks every row's fields and signature against `keys`. */
export function checkRows(rows: readonly StoredCheckpoint[], keys: readonly NamedKey[]): CheckedRows {
  const checkpoints: SharedCheckpoint[] = [];
  const bad: string[] = [];
  for (const row of rows) {
    const { seq, hash, time, keyId, signature } = row;
    if (!Number.isSafeInteger(seq) || seq < 1 || !HASH.test(hash) || Number.isNaN(Date.parse(time))) {
      bad.push(`${rowName(row)}: its seq, hash or time is damaged: not a checkpoint`);
      continue;
    }
    const key = keys.find((k) => k.keyId === keyId);
    if (!key) {
      bad.push(
        `${rowName(row)}: signed by key ${keyId}, which audit.trustedKeys does not list: forged, or an instance whose public key (its <keyFile>.pub) is missing there`,
      );
      continue;
    }
    const checkpoint: AuditCheckpoint = { seq, hash, time, keyId, signature };
    if (!verifyCheckpoint(checkpoint, key.publicKey)) {
      bad.push(
        `${rowName(row)}: says it is signed by key ${keyId} (${key.name}), but the signature does not match: forged or edited`,
      );
      continue;
    }
    if (key.retiredAt !== undefined && Date.parse(time) > Date.parse(key.retiredAt)) {
      bad.push(`${rowName(row)}: signed by key ${keyId} at ${time}, after it was retired at ${key.retiredAt}`);
      continue;
    }
    checkpoints.push({ ...checkpoint, row: row.id, instance: row.instance, keyName: key.name });
  }
  checkpoints.sort((a, b) => a.seq - b.seq || Date.parse(a.time) - Date.parse(b.time));
  return { checkpoints, bad };
}

/** What {@link mergeWithFile} found. */
export interface MergedCheckpoints {
  /** The table's valid checkpoints and the file's, each signature once, by seq. */
  checkpoints: AuditCheckpoint[];
  /** File checkpoints signed after the table was made that the table no longer holds: rows someone deleted. */
  deleted: AuditCheckpoint[];
}

/**
 * Joins the table's valid checkpoints with the local checkpoint file's (already checked by the keyring). A file
 * checkpoint signed after the table was made but missing from it was written to the table first, so its row was
 * deleted; the file's copy still anchors the log.
 */
export function mergeWithFile(
  table: readonly AuditCheckpoint[],
  file: readonly AuditCheckpoint[],
  stored: Pick<StoredCheckpoints, "rows" | "since">,
): MergedCheckpoints {
  const checkpoints = [...table];
  const deleted: AuditCheckpoint[] = [];
  const since = stored.since === undefined ? undefined : Date.parse(stored.since);
  const valid = new Set(table.map((c) => c.signature));
  const inTable = new Set(stored.rows.map((row) => row.signature));
  for (const checkpoint of file) {
    if (valid.has(checkpoint.signature)) continue;
    checkpoints.push(checkpoint);
    if (!inTable.has(checkpoint.signature) && since !== undefined && Date.parse(checkpoint.time) >= since)
      deleted.push(checkpoint);
  }
  checkpoints.sort((a, b) => a.seq - b.seq || Date.parse(a.time) - Date.parse(b.time));
  return { checkpoints, deleted };
}

/** One line per key: how many of the table's checkpoints it signed, and up to which entry. */
export function describeSigners(checkpoints: readonly SharedCheckpoint[]): string[] {
  const byKey = new Map<string, { name: string; count: number; latest: number; instances: Set<string> }>();
  for (const c of checkpoints) {
    const seen = byKey.get(c.keyId) ?? { name: c.keyName, count: 0, latest: 0, instances: new Set<string>() };
    seen.count++;
    seen.latest = Math.max(seen.latest, c.seq);
    seen.instances.add(c.instance);
    byKey.set(c.keyId, seen);
  }
  return [...byKey].map(
    ([keyId, s]) =>
      `signer: key ${keyId} (${s.name}) signed ${s.count} checkpoint${s.count === 1 ? "" : "s"} in audit_checkpoints, the latest of entry #${s.latest}, from ${s.instances.size} instance${s.instances.size === 1 ? "" : "s"}`,
  );
}
