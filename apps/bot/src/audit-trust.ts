/**
 * Everything that anchors one database's audit log, read together: the checkpoint file checked with every trusted
 * key (current and rotated-away), the operator's re-anchors applied. Used at start and by `audit verify`.
 * @module
 */

import type { KeyObject } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import type { AuditCheckpoint, BadCheckpointLine } from "@switchboard/core/audit";
import type { AuditFiles } from "./audit-anchor.js";
import { readCheckpointsWithKeys, readRotations, type TrustedKey, trustedKeys } from "./audit-keyring.js";
import { applyReanchors, type Reanchor, readReanchors } from "./audit-reanchor.js";

/** What {@link readTrustedAnchors} found. */
export interface TrustedAnchors {
  /** Undefined when the checkpoint file does not exist. */
  exists: boolean;
  /** The checkpoints that count (valid signatures by a trusted key, re-anchors applied), sorted by seq. */
  checkpoints: AuditCheckpoint[];
  /** Every checkpoint with a valid signature, before re-anchors set any aside. */
  signed: AuditCheckpoint[];
  /** Bad checkpoint lines (forged, damaged, unknown key, signed after its key was retired). */
  bad: BadCheckpointLine[];
  /** Problems with re-anchor records. */
  badReanchors: string[];
  /** Lines of a lost key (no public key kept): they vouch for nothing. */
  unverifiable: Array<{ line: number; keyId: string }>;
  reanchors: Reanchor[];
  /** The trusted keys, current first. */
  keys: TrustedKey[];
}

/** Reads the checkpoint file of `files` with every key trusted from `currentKey`, and applies re-anchors. */
export function readTrustedAnchors(files: AuditFiles, currentKey: KeyObject): TrustedAnchors {
  const keys = trustedKeys(currentKey, readRotations(files));
  const exists = existsSync(files.checkpointFile);
  const read = exists
    ? readCheckpointsWithKeys(readFileSync(files.checkpointFile, "utf8"), keys)
    : { checkpoints: [], bad: [], unverifiable: [] };
  const { records, bad: badReanchors } = readReanchors(files, keys);
  return {
    exists,
    checkpoints: applyReanchors(read.checkpoints, records),
    signed: read.checkpoints,
    bad: read.bad,
    badReanchors,
    unverifiable: read.unverifiable,
    reanchors: records,
    keys,
  };
}
