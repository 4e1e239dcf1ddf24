/**
 * Exactly-once intake, an optional capability of an audit log: when several instances may receive the same message
 * (Slack retries to any connection, a Matrix sync after failover), the first audit write for a message also claims
 * it by (network, message id), in the same transaction. An instance whose claim loses stays silent: the message is
 * another instance's. Logs without the capability (memory, SQLite: one instance) are used as before.
 * @module
 */

import type { IncomingMessage } from "../adapters/message.js";
import type { AuditEntry, AuditLog, AuditRecord } from "../audit/audit.js";

/** What a message is claimed by. */
export interface MessageClaim {
  network: string;
  /** The network's message id (Slack `event_id`/`ts`, Matrix event id, IRCv3 msgid). */
  messageId: string;
  /** The room, so that a job abandoned with its instance can be announced there. */
  room?: string;
  /** The job the message became, when the records do not name it. */
  jobId?: string;
}

/** An audit log that can claim a message in the same transaction as records (store-postgres). */
export interface ClaimingAuditLog extends AuditLog {
  /**
   * Claims `claim` and appends `records` atomically. Resolves to the entries, or `undefined` (nothing written)
   * when the message was claimed before. With no records only the claim is taken.
   */
  appendClaimed(claim: MessageClaim, records: AuditRecord[]): Promise<AuditEntry[] | undefined>;
}

/** Whether `log` claims messages (see {@link ClaimingAuditLog}). */
export function isClaimingAuditLog(log: AuditLog): log is ClaimingAuditLog {
  return typeof (log as Partial<ClaimingAuditLog>).appendClaimed === "function";
}

/**
 * Writes the first audit records of `message`, claiming it when the log can. Resolves `false` (nothing written)
 * when another instance claimed the message first: the caller must then do nothing more with it.
 */
export async function appendFirst(
  log: AuditLog,
  message: IncomingMessage,
  records: AuditRecord[],
  /** The job the message became, when `records` do not name it (a claim alone, for a job that waits). */
  jobId?: string,
): Promise<boolean> {
  if (!isClaimingAuditLog(log)) {
    await log.append(records);
    return true;
  }
  const claim = {
    network: message.network,
    messageId: message.id,
    room: message.room.id,
    ...(jobId !== undefined ? { jobId } : {}),
  };
  return (await log.appendClaimed(claim, records)) !== undefined;
}
