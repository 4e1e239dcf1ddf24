/**
 * Wrapping the app's audit log so that its head is signed into the checkpoint file (and announced into the audit
 * room, when one is configured).
 * @module
 */
import type { AuditLog, Logger, RoomRef } from "@switchboard/core";
import { type AuditCheckpoint, CheckpointingAuditLog } from "@switchboard/core/audit";
import {
  adoptPathCheckpoints,
  auditFiles,
  checkpointWriter,
  type DatabaseRef,
  formerCheckpointFiles,
  loadOrCreateKey,
} from "./audit-anchor.js";
import { refuseSilentNewKey } from "./audit-key-guard.js";
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
  const empty = !file.exists || (file.checkpoints.length === 0 && file.bad.length === 0);
  const existing = empty && created ? undefined : file.checkpoints;
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
  return new CheckpointingAuditLog(inner, {
    signer,
    write: checkpointWriter(files.checkpointFile, config.store.synchronous === "FULL"),
    ...(room
      ? { announce: (checkpoint: AuditCheckpoint) => options.announce(room, checkpointAnnouncement(checkpoint)) }
      : {}),
    every: config.audit.every,
    intervalMs: config.audit.interval,
    existing,
    logger,
  });
}
