/**
 * What the operator's audit commands (`audit re-anchor`, `audit rotate-key`) share: who is running them, the
 * private key they sign with, the audit entry that records what they did, and a fresh checkpoint of the new head.
 * @module
 */
import { existsSync, readFileSync } from "node:fs";
import { hostname } from "node:os";
import { osLogin } from "@switchboard/adapter-shell";
import type { AuditEntry, AuditLog, AuditRecord } from "@switchboard/core";
import { type AuditCheckpoint, checkpointSigner } from "@switchboard/core/audit";
import { type AuditFiles, checkpointWriter } from "./audit-anchor.js";
import { CliError } from "./cli-error.js";

/** `login@host` of whoever runs the command: the "by whom" of re-anchors and rotations. */
export function operatorName(): string {
  return `${osLogin()}@${hostname()}`;
}

/** The private key's PEM text, or a CliError naming where it was looked for. */
export function readPrivateKey(files: AuditFiles, why: string): string {
  if (!existsSync(files.keyFile))
    throw new CliError(
      `${why} needs the audit key, and there is none at ${files.keyFile}: restore it from your backup (docs/operations.md, "Restore")${why.includes("rotate") ? ", or use --lost-key" : ""}`,
    );
  return readFileSync(files.keyFile, "utf8");
}

/** Appends one `operator` entry and returns it. */
export async function recordOperatorAction(
  auditLog: AuditLog,
  record: Omit<AuditRecord, "event">,
): Promise<AuditEntry> {
  const [entry] = await auditLog.append([{ event: "operator", ...record }]);
  return entry!;
}

/**
 * Signs the log's current last entry with `privateKeyPem` and appends the checkpoint to the checkpoint file (on
 * PostgreSQL first to `audit_checkpoints` through `writeShared`, as a running instance does).
 */
export async function checkpointHead(
  auditLog: AuditLog,
  files: AuditFiles,
  privateKeyPem: string,
  durable: boolean,
  writeShared?: (checkpoint: AuditCheckpoint) => Promise<void>,
): Promise<{ seq: number; hash: string }> {
  const [last] = await auditLog.query({ limit: 1 });
  if (!last) throw new CliError("the audit log is empty: nothing to checkpoint");
  const checkpoint = checkpointSigner(privateKeyPem).sign({ seq: last.seq, hash: last.hash });
  await writeShared?.(checkpoint);
  checkpointWriter(files.checkpointFile, { durable })(checkpoint);
  return { seq: last.seq, hash: last.hash };
}
