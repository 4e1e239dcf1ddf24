/**
 * Wrapping the app's audit log so that its head is signed into the checkpoint file (and announced into the audit
 * room, when one is configured).
 * @module
 */
import type { AuditLog, Logger, RoomRef } from "@switchboard/core";
import { type AuditCheckpoint, CheckpointingAuditLog } from "@switchboard/core/audit";
import type { StoredCheckpoints } from "@switchboard/store-postgres";
import {
  adoptPathCheckpoints,
  auditFiles,
  checkpointWriter,
  type DatabaseRef,
  formerCheckpointFiles,
  loadOrCreateKey,
} from "./audit-anchor.js";
import { refuseSilentNewKey } from "./audit-key-guard.js";
import { applyReanchors } from "./audit-reanchor.js";
import { checkRows, configuredKeys, keysToTrust, mergeWithFile } from "./audit-shared-checkpoints.js";
import { readTrustedAnchors } from "./audit-trust.js";
import type { SwitchboardConfig } from "./config/schema.js";

/** The line posted into the audit room: everything needed to re-check it, and to restore a lost checkpoint line. */
export function checkpointAnnouncement(checkpoint: AuditCheckpoint): string {
  const { seq, hash, time, keyId, signature } = checkpoint;
  return `audit checkpoint #${seq} ${hash} ${time} key ${keyId} sig ${signature}`;
}

/** Options for {@link checkpointedAuditLog}. */
export interface CheckpointedAuditLogOptions {
  config: SwitchboardConfig;
  /** Absolute path of the database. */
  storePath: string;
  /** The database's id: its checkpoints are kept in a file named after it. */
  database: DatabaseRef;
  logger: Logger;
  /** Posts into a room (the bot's `announce`); used when `audit.room` is set. */
  announce(target: RoomRef, text: string): Promise<unknown>;
  /**
   * With `store.postgres`: the shared `audit_checkpoints` table as read at start, and where to store this
   * instance's checkpoints (before the local file, so a file line missing from the table means a deleted row).
   */
  shared?: { stored: StoredCheckpoints; write(checkpoint: AuditCheckpoint): Promise<void> };
}

/**
 * Loads (or creates) the key, reads the checkpoint file (logging forged or damaged lines), and wraps `inner`.
 * When the key was created just now and no checkpoint file exists, nothing anchored the log before: its intact
 * chain is trusted as it stands (and signed at start).
 */
export function checkpointedAuditLog(inner: AuditLog, options: CheckpointedAuditLogOptions): CheckpointingAuditLog {
  const { config, storePath, logger, database } = options;
  const files = auditFiles(config.audit, storePath, true, database);
  adoptPathCheckpoints(config.audit, files, storePath, database);
  for (const former of formerCheckpointFiles(config.audit, files, storePath, database))
    logger.warn(
      { file: former.file, database: former.id, current: database.id },
      `audit checkpoints in ${former.file} are of ${former.id ? `database ${former.id}` : "a database from before database ids"}, which is no longer at ${storePath}; the database there now is ${database.id} and gets checkpoints of its own`,
    );
  refuseSilentNewKey(files);
  const { signer, created } = loadOrCreateKey(files);
  // Checkpoints of every trusted key (rotations) with the operator's re-anchors applied.
  const file = readTrustedAnchors(files, signer.publicKey);
  for (const bad of file.bad)
    logger.error(
      { file: files.checkpointFile, line: bad.line, seq: bad.seq },
      `audit checkpoint file: line ${bad.line} is not a valid checkpoint: ${bad.reason}`,
    );
  for (const bad of file.badReanchors) logger.error({ file: files.checkpointFile }, bad);
  let anchors = file.checkpoints;
  let shared = 0;
  if (options.shared) {
    const configured = configuredKeys(config.audit);
    const keys = keysToTrust(configured, file.keys, files.keyFile);
    if (configured.length > 0 && !configured.some((k) => k.keyId === signer.keyId))
      logger.warn(
        { keyFile: files.keyFile, keyId: signer.keyId },
        `this instance's audit key ${signer.keyId} is not in audit.trustedKeys: audit verify on other machines reports its checkpoints as forged; add ${files.publicKeyFile} there`,
      );
    const rows = checkRows(options.shared.stored.rows, keys);
    for (const bad of rows.bad) logger.error({ table: "audit_checkpoints" }, bad);
    const merged = mergeWithFile(rows.checkpoints, file.checkpoints, options.shared.stored);
    for (const gone of merged.deleted)
      logger.error(
        { seq: gone.seq, keyId: gone.keyId },
        `audit checkpoint of entry #${gone.seq} (signed ${gone.time}) is in ${files.checkpointFile} but no longer in audit_checkpoints: its row was deleted`,
      );
    anchors = applyReanchors(merged.checkpoints, file.reanchors);
    // Only checkpoints of trusted keys count: a fresh instance among untrusted rows trusts the intact chain as it
    // stands, as on a first start (it must not refuse every runtime grant because of rows it cannot check).
    shared = rows.checkpoints.length;
  }
  const empty = !file.exists || (file.checkpoints.length === 0 && file.bad.length === 0);
  const existing = empty && created && shared === 0 ? undefined : anchors;
  logger.info(
    {
      keyFile: files.keyFile,
      keyId: signer.keyId,
      created,
      checkpointFile: files.checkpointFile,
      checkpoints: existing?.length ?? 0,
      latest: existing?.at(-1)?.seq,
    },
    created ? "audit key created" : "audit key loaded",
  );
  const room = config.audit.room;
  const toFile = checkpointWriter(files.checkpointFile, { durable: config.store.synchronous === "FULL" });
  const toTable = options.shared?.write;
  return new CheckpointingAuditLog(inner, {
    signer,
    write: toTable
      ? async (checkpoint) => {
          await toTable(checkpoint);
          toFile(checkpoint);
        }
      : toFile,
    ...(room
      ? { announce: (checkpoint: AuditCheckpoint) => options.announce(room, checkpointAnnouncement(checkpoint)) }
      : {}),
    every: config.audit.every,
    intervalMs: config.audit.interval,
    existing,
    logger,
  });
}
