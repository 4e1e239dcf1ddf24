/**
 * Re-anchoring after a restore. A database put back from a backup ends before the newest checkpoints, and `audit
 * verify` rightly calls that a cut-off log. `switchboard audit re-anchor --accept-head SEQ:HASH` records, signed
 * with the audit key (into `<checkpoint file>.reanchors.jsonl`) and in the audit log itself, that an operator
 * accepted that older head: the checkpoints signed before then for later entries (the lost tail) are set aside,
 * and verification says since when and by whom. Nothing is deleted; every checkpoint up to the accepted head must
 * still match.
 * @module
 */

import { type KeyObject, verify } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import type { AuditCheckpoint, AuditHead } from "@switchboard/core/audit";
import type { AuditFiles } from "./audit-anchor.js";
import type { TrustedKey } from "./audit-keyring.js";

/** One line of the re-anchor file. */
export interface Reanchor extends AuditHead {
  /** ISO time the operator accepted the head: checkpoints signed before it for later entries are set aside. */
  time: string;
  /** The OS login of whoever ran the command. */
  by: string;
  reason: string;
  /** The audit entry that records it (the first entry after the accepted head, or later). */
  auditSeq: number;
  /** The checkpoints set aside: how many, and the highest entry they vouched for. */
  setAside: number;
  setAsideThrough: number;
  keyId: string;
  /** Ed25519 signature over {@link reanchorMessage}, base64. */
  signature: string;
}

/** The re-anchor file beside the checkpoint file. */
export function reanchorFile(files: AuditFiles): string {
  return `${files.checkpointFile.replace(/\.jsonl$/, "")}.reanchors.jsonl`;
}

/** The bytes a re-anchor record signs. */
export function reanchorMessage(r: Omit<Reanchor, "signature" | "keyId">): Buffer {
  return Buffer.from(
    [
      "switchboard audit re-anchor v1",
      r.seq,
      r.hash,
      r.time,
      r.by,
      r.reason,
      r.auditSeq,
      r.setAside,
      r.setAsideThrough,
    ].join("\n"),
    "utf8",
  );
}

/** Valid re-anchor records (signed by a trusted key) and the problems with the others. */
export interface Reanchors {
  records: Reanchor[];
  bad: string[];
}

/** Reads the re-anchor file and checks each record's signature with the trusted keys. */
export function readReanchors(files: AuditFiles, keys: TrustedKey[]): Reanchors {
  const path = reanchorFile(files);
  if (!existsSync(path)) return { records: [], bad: [] };
  const records: Reanchor[] = [];
  const bad: string[] = [];
  for (const [index, line] of readFileSync(path, "utf8").split("\n").entries()) {
    if (!line.trim()) continue;
    let record: Reanchor;
    try {
      record = JSON.parse(line) as Reanchor;
    } catch {
      bad.push(`re-anchor line ${index + 1} of ${path}: not JSON`);
      continue;
    }
    const key = keys.find((k) => k.keyId === record.keyId)?.publicKey;
    if (!key || !signedBy(key, record)) {
      bad.push(
        `re-anchor line ${index + 1} of ${path}: ${key ? "its signature does not match (forged or edited)" : `signed by key ${record.keyId}, which is not a trusted audit key`}`,
      );
      continue;
    }
    records.push(record);
  }
  return { records, bad };
}

function signedBy(key: KeyObject, record: Reanchor): boolean {
  try {
    return verify(null, reanchorMessage(record), key, Buffer.from(String(record.signature), "base64"));
  } catch {
    return false;
  }
}

/**
 * The checkpoints that still count after the re-anchors: those signed before a re-anchor for entries after its
 * accepted head are set aside (they vouched for the lost tail). Each re-anchor's accepted head counts as a
 * checkpoint itself.
 */
export function applyReanchors(checkpoints: AuditCheckpoint[], records: Reanchor[]): AuditCheckpoint[] {
  const kept = checkpoints.filter(
    (c) => !records.some((r) => c.seq > r.seq && Date.parse(c.time) <= Date.parse(r.time)),
  );
  const accepted = records.map(
    (r): AuditCheckpoint => ({ seq: r.seq, hash: r.hash, time: r.time, keyId: r.keyId, signature: r.signature }),
  );
  // When the accepted head has a checkpoint anyway, one is enough.
  const all = [...kept, ...accepted.filter((a) => !kept.some((c) => c.seq === a.seq && c.hash === a.hash))];
  return all.sort((a, b) => a.seq - b.seq);
}

/** One sentence per re-anchor for `audit verify`: since when, by whom, what was set aside. */
export function describeReanchor(r: Reanchor): string {
  const aside =
    r.setAside === 0
      ? "no checkpoint was set aside"
      : `${r.setAside} checkpoint${r.setAside === 1 ? "" : "s"} up to entry #${r.setAsideThrough} from before ${r.setAside === 1 ? "was" : "were"} set aside`;
  return `re-anchored: since ${r.time}, ${r.by} accepted entry #${r.seq} (${r.hash.slice(0, 12)}…) as the head (${r.reason}); ${aside}; recorded in audit entry #${r.auditSeq}`;
}
