/**
 * An {@link AuditLog} wrapper that signs checkpoints of the chain's head: every N entries, every T seconds (when the
 * head moved), after every role change, and when it is closed. Where checkpoints are kept is the caller's business
 * (a file beside the key, a room as witness); this module does no file I/O.
 * @module
 */

import { isClaimingAuditLog, type MessageClaim } from "../intake/intake-claim.js";
import type { Logger } from "../runtime/logger.js";
import type { AuditEntry, AuditLog, AuditQuery, AuditRecord } from "./audit.js";
import type { AuditCheckpoint, AuditHead, CheckpointSigner } from "./audit-checkpoint.js";

/** An audit log whose head is anchored outside it by signed checkpoints. */
export interface AnchoredAuditLog extends AuditLog {
  /**
   * The checkpoints that were already there when the log was opened (signatures checked, oldest first), or
   * `undefined` when nothing anchored it before (the first start with a new key): the intact chain is then
   * trusted as it stands.
   */
  checkpoints(): readonly AuditCheckpoint[] | undefined;
}

/** True when `log` is an {@link AnchoredAuditLog}. */
export function isAnchoredAuditLog(log: AuditLog): log is AnchoredAuditLog {
  return typeof (log as Partial<AnchoredAuditLog>).checkpoints === "function";
}

/** Options for {@link CheckpointingAuditLog}. */
export interface CheckpointingOptions {
  signer: CheckpointSigner;
  /** Keeps a checkpoint where deleting rows cannot delete it (e.g. appends a line to a file beside the key). */
  write(checkpoint: AuditCheckpoint): void | Promise<void>;
  /** Tells a witness too (e.g. posts it into an audit room). Not awaited by appends; failures are logged. */
  announce?(checkpoint: AuditCheckpoint): unknown;
  /** Sign after this many new entries. Default 100. */
  every?: number;
  /** Also sign this often (ms) when the head moved; 0 turns the timer off. Default 60 000. */
  intervalMs?: number;
  /** See {@link AnchoredAuditLog.checkpoints}. */
  existing?: readonly AuditCheckpoint[] | undefined;
  logger?: Logger;
}

const noLogger: Logger = {
  debug() {},
  info() {},
  warn() {},
  error() {},
  child: () => noLogger,
};

/**
 * Wraps an audit log and signs checkpoints of its head. `append` resolves after the entries are stored and, when
 * they complete a batch of `every` entries or contain a role change, after the checkpoint is written. A checkpoint
 * that cannot be written is logged; the entries stay stored.
 */
export class CheckpointingAuditLog implements AnchoredAuditLog {
  readonly #inner: AuditLog;
  readonly #options: CheckpointingOptions;
  readonly #every: number;
  readonly #logger: Logger;
  readonly #existing: readonly AuditCheckpoint[] | undefined;
  /** The newest head this process signed or found signed. */
  #signed: AuditHead | undefined;
  /** Entries appended through this wrapper since the last checkpoint. */
  #since = 0;
  #queue: Promise<unknown> = Promise.resolve();
  #timer: ReturnType<typeof setInterval> | undefined;
  #closed = false;

  constructor(inner: AuditLog, options: CheckpointingOptions) {
    this.#inner = inner;
    this.#options = options;
    this.#every = options.every ?? 100;
    if (!Number.isInteger(this.#every) || this.#every < 1)
      throw new RangeError(`every must be a positive whole number, not ${this.#every}`);
    this.#logger = options.logger ?? noLogger;
    this.#existing = options.existing;
    this.#signed = options.existing?.at(-1);
    if (isClaimingAuditLog(inner)) {
      const claiming = inner;
      this.appendClaimed = async (claim, records) => {
        const entries = await claiming.appendClaimed(claim, records);
        return entries && this.#counted(entries);
      };
    }
    const intervalMs = options.intervalMs ?? 60_000;
    if (intervalMs > 0) {
      this.#timer = setInterval(() => void this.checkpoint(), intervalMs);
      this.#timer.unref();
    }
  }

  checkpoints(): readonly AuditCheckpoint[] | undefined {
    return this.#existing;
  }

  /** The newest checkpoint written or found (undefined before the first). */
  get latest(): AuditHead | undefined {
    return this.#signed;
  }

  /**
   * Present when the wrapped log claims messages (several instances, store-postgres): claims and appends through
   * it, counting the entries towards the next checkpoint like {@link CheckpointingAuditLog.append}.
   */
  appendClaimed?: (claim: MessageClaim, records: AuditRecord[]) => Promise<AuditEntry[] | undefined>;

  async append(records: AuditRecord[]): Promise<AuditEntry[]> {
    return this.#counted(await this.#inner.append(records));
  }

  /** Counts appended entries towards the next checkpoint, and signs one when due. */
  async #counted(entries: AuditEntry[]): Promise<AuditEntry[]> {
    const last = entries.at(-1);
    if (!last) return entries;
    this.#since += entries.length;
    if (this.#since >= this.#every || entries.some((e) => e.event === "role"))
      await this.checkpoint({ seq: last.seq, hash: last.hash });
    return entries;
  }

  query(query: AuditQuery): Promise<AuditEntry[]> {
    return this.#inner.query(query);
  }

  entries(): AsyncIterable<AuditEntry> {
    return this.#inner.entries();
  }

  /**
   * Signs the head now, unless it is already signed. Without `head`, reads the log's last entry (which may have
   * been written by another process). Resolves with the checkpoint written, if any; never rejects.
   */
  checkpoint(head?: AuditHead, announce = true): Promise<AuditCheckpoint | undefined> {
    const run = this.#queue.then(() => this.#checkpoint(head, announce));
    this.#queue = run;
    return run;
  }

  async #checkpoint(given: AuditHead | undefined, announce: boolean): Promise<AuditCheckpoint | undefined> {
    try {
      let head = given;
      if (!head) {
        const [last] = await this.#inner.query({ limit: 1 });
        head = last ? { seq: last.seq, hash: last.hash } : undefined;
      }
      const signed = this.#signed;
      if (!head || (signed && head.seq <= signed.seq)) {
        if (signed && !given) this.#noticeRewind(head, signed);
        return undefined;
      }
      const checkpoint = this.#options.signer.sign(head);
      await this.#options.write(checkpoint);
      this.#signed = head;
      this.#since = 0;
      if (announce && this.#options.announce) {
        Promise.resolve()
          .then(() => this.#options.announce!(checkpoint))
          .catch((err: unknown) => this.#logger.warn({ err, seq: head.seq }, "could not announce audit checkpoint"));
      }
      return checkpoint;
    } catch (err) {
      this.#logger.error({ err }, "could not write an audit checkpoint");
      return undefined;
    }
  }

  /** The log's head is behind (or differs from) what was signed: someone cut or rewrote it under us. */
  #noticeRewind(head: AuditHead | undefined, signed: AuditHead): void {
    if (head && head.seq === signed.seq && head.hash === signed.hash) return;
    if (head && head.seq === signed.seq && head.hash !== signed.hash)
      this.#logger.error(
        { seq: head.seq, hash: head.hash, signed: signed.hash },
        `audit log: entry #${head.seq} no longer has the hash its checkpoint signed; the log was rewritten (run switchboard audit verify)`,
      );
    else if (!head || head.seq < signed.seq)
      this.#logger.error(
        { seq: head?.seq ?? 0, signed: signed.seq },
        `audit log: it ends at entry #${head?.seq ?? 0} but entry #${signed.seq} was checkpointed; the log was cut off (run switchboard audit verify)`,
      );
  }

  /** Stops the timer, signs the final head (not announced: adapters are usually stopped by now), closes the log. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#timer) clearInterval(this.#timer);
    await this.checkpoint(undefined, false);
    await this.#inner.close?.();
  }
}
