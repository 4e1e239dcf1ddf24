/**
 * Exactly-once intake, an optional capability of an audit log: when several instances may receive the same message
 * (Slack retries to any connection, a Matrix sync after failover), the first audit write for a message also claims
 * it by (network, message id), in the same transaction. An instance whose claim loses stays silent: the message is
 * another instance's. Logs without the capability (memory, SQLite: one instance) are used as before.
 * @module
 */

import type { ConnectionLease, IncomingMessage } from "../adapters/message.js";
import type { AuditEntry, AuditLog, AuditRecord } from "../audit/audit.js";
import type { Logger } from "../runtime/logger.js";

/** What a message is claimed by. */
export interface MessageClaim {
  network: string;
  /** The network's message id (Slack `event_id`/`ts`, Matrix event id, IRCv3 msgid). */
  messageId: string;
  /** The room, so that a job abandoned with its instance can be announced there. */
  room?: string;
  /** The job the message became, when the records do not name it. */
  jobId?: string;
  /**
   * The lease term the message was received under ({@link IncomingMessage.lease}): the claim is taken only while
   * that term still holds the lease, checked in the claim's transaction; otherwise it is refused
   * ({@link ClaimRefusedError}).
   */
  lease?: ConnectionLease;
}

/**
 * A claim refused because the lease term its message was received under has ended: the connection it came in on
 * belongs to another instance (or a newer term) now, so nothing of the message is written or run here.
 */
export class ClaimRefusedError extends Error {
  override name = "ClaimRefusedError";
  constructor(
    readonly claim: MessageClaim,
    message = `the lease ${claim.lease?.resource} (token ${claim.lease?.token}) that ${claim.network} message ${claim.messageId} was received under is no longer held`,
  ) {
    super(message);
  }
}

/** Whether `error` is a {@link ClaimRefusedError} (also across copies of this module). */
export function isClaimRefused(error: unknown): error is ClaimRefusedError {
  return error instanceof ClaimRefusedError || (error as Error | null)?.name === "ClaimRefusedError";
}

/** An audit log that can claim a message in the same transaction as records (store-postgres). */
export interface ClaimingAuditLog extends AuditLog {
  /**
   * Claims `claim` and appends `records` atomically. Resolves to the entries, or `undefined` (nothing written)
   * when the message was claimed before. With no records only the claim is taken. Rejects with
   * {@link ClaimRefusedError} (nothing written) when `claim.lease` is no longer held.
   */
  appendClaimed(claim: MessageClaim, records: AuditRecord[]): Promise<AuditEntry[] | undefined>;
}

/** Whether `log` claims messages (see {@link ClaimingAuditLog}). */
export function isClaimingAuditLog(log: AuditLog): log is ClaimingAuditLog {
  return typeof (log as Partial<ClaimingAuditLog>).appendClaimed === "function";
}

/**
 * Writes the first audit records of `message`, claiming it when the log can. Resolves `false` (nothing written)
 * when another instance claimed the message first, or when its claim was refused because the lease it was received
 * under has ended (logged on `logger`: the connection is gone, so nothing is said in chat): the caller must then do
 * nothing more with it.
 */
export async function appendFirst(
  log: AuditLog,
  logger: Logger,
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
    ...(message.lease ? { lease: message.lease } : {}),
  };
  try {
    return (await log.appendClaimed(claim, records)) !== undefined;
  } catch (error) {
    if (!isClaimRefused(error)) throw error;
    logger.warn(
      {
        network: message.network,
        messageId: message.id,
        room: message.room.id,
        sender: message.sender.id,
        resource: claim.lease?.resource,
        token: claim.lease?.token,
      },
      "message not run: received under a lease term that has ended (another instance holds the connection now)",
    );
    return false;
  }
}
