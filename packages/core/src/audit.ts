/**
 * The audit log: append-only and hash-chained. Each entry carries the hash of the previous one, computed over a
 * canonical JSON encoding, so editing or removing any entry breaks every hash after it.
 * @module
 */
import { createHash } from "node:crypto";

/** What happened. An invocation writes received → decision → (approval…) → started → outcome. */
export type AuditEvent =
  | "received"
  | "decision"
  | "approval-requested"
  | "approval"
  | "started"
  | "outcome"
  | "role"
  | "error";

export type AuditOutcome = "succeeded" | "failed" | "cancelled" | "timed-out" | "denied" | "expired" | "rejected";

/** An audit record as written by the runtime, before it is chained. */
export interface AuditRecord {
  event: AuditEvent;
  /** The job the record belongs to. */
  jobId?: string;
  /** Principal id, or `guest:<network>:<sender id>` for unverified senders. */
  actor?: string;
  network?: string;
  room?: string;
  command?: string;
  /** Parsed arguments, with secrets replaced by `[redacted]`. */
  args?: Record<string, unknown>;
  /** Allowed/denied, approved/rejected. */
  decision?: "allowed" | "denied" | "needs-approval" | "approved" | "rejected";
  /** Which rule or permission decided. */
  rule?: string;
  outcome?: AuditOutcome;
  durationMs?: number;
  /** Correlation id of an internal error. */
  errorId?: string;
  /** Free-form detail (error message, approvers, role change…), secrets already removed. */
  detail?: Record<string, unknown>;
}

/** A stored audit entry: a record plus its position and hashes. */
export interface AuditEntry extends AuditRecord {
  seq: number;
  /** ISO-8601 time of writing. */
  time: string;
  /** Hash of the previous entry (`GENESIS_HASH` for the first). */
  prevHash: string;
  /** sha256 over the canonical encoding of every other field. */
  hash: string;
}

/** Filters for reading the log. */
export interface AuditQuery {
  actor?: string;
  command?: string;
  outcome?: AuditOutcome;
  event?: AuditEvent;
  jobId?: string;
  /** Newest first, at most this many (default 20). */
  limit?: number;
}

/** An append-only, hash-chained audit log. */
export interface AuditLog {
  /** Appends records in order, chained; resolves once they are durably stored. */
  append(records: AuditRecord[]): Promise<AuditEntry[]>;
  /** Matching entries, newest first. */
  query(query: AuditQuery): Promise<AuditEntry[]>;
  /** Every entry in order, oldest first (for verification and export). */
  entries(): AsyncIterable<AuditEntry>;
  close?(): Promise<void>;
}

export const GENESIS_HASH = "0".repeat(64);

/** JSON with object keys sorted and `undefined` dropped: the same value always encodes to the same bytes. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== "object") return JSON.stringify(value) ?? "null";
  if (Array.isArray(value)) return `[${value.map((v) => (v === undefined ? "null" : canonicalJson(v))).join(",")}]`;
  const keys = Object.keys(value as object)
    .filter((k) => (value as Record<string, unknown>)[k] !== undefined)
    .sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson((value as Record<string, unknown>)[k])}`).join(",")}}`;
}

/** The hash an entry must carry. */
export function hashEntry(entry: Omit<AuditEntry, "hash">): string {
  return createHash("sha256").update(canonicalJson(entry)).digest("hex");
}

/** Chains records after `previous` (the last stored entry, or none for an empty log). */
export function chainRecords(
  previous: { seq: number; hash: string } | undefined,
  records: AuditRecord[],
  now = new Date(),
): AuditEntry[] {
  let seq = previous?.seq ?? 0;
  let prevHash = previous?.hash ?? GENESIS_HASH;
  const time = now.toISOString();
  return records.map((record) => {
    const unhashed = { ...record, seq: ++seq, time, prevHash };
    const entry: AuditEntry = { ...unhashed, hash: hashEntry(unhashed) };
    prevHash = entry.hash;
    return entry;
  });
}

/** Result of walking the chain. */
export type VerifyResult =
  | { ok: true; checked: number; lastHash: string }
  | { ok: false; checked: number; firstBad: { seq: number; reason: string } };

/** Walks entries in order and checks sequence numbers, links and hashes; names the first bad entry. */
export async function verifyChain(entries: AsyncIterable<AuditEntry> | Iterable<AuditEntry>): Promise<VerifyResult> {
  let expectedSeq = 1;
  let prevHash = GENESIS_HASH;
  let checked = 0;
  for await (const entry of entries) {
    const { hash, ...rest } = entry;
    if (entry.seq !== expectedSeq)
      return { ok: false, checked, firstBad: { seq: entry.seq, reason: `expected entry #${expectedSeq} here (an entry is missing or was inserted)` } };
    if (entry.prevHash !== prevHash)
      return { ok: false, checked, firstBad: { seq: entry.seq, reason: "its link to the previous entry does not match" } };
    if (hashEntry(rest) !== hash)
      return { ok: false, checked, firstBad: { seq: entry.seq, reason: "its content does not match its hash (it was edited)" } };
    prevHash = hash;
    expectedSeq++;
    checked++;
  }
  return { ok: true, checked, lastHash: prevHash };
}

/** True when `entry` matches `query`'s filters (shared by the store implementations). */
export function matchesAuditQuery(entry: AuditEntry, query: AuditQuery): boolean {
  return (
    (query.actor === undefined || entry.actor === query.actor) &&
    (query.command === undefined || entry.command === query.command) &&
    (query.outcome === undefined || entry.outcome === query.outcome) &&
    (query.event === undefined || entry.event === query.event) &&
    (query.jobId === undefined || entry.jobId === query.jobId)
  );
}

/** An {@link AuditLog} in memory: for tests, benchmarks and embedding (not tamper-proof across restarts). */
export class MemoryAuditLog implements AuditLog {
  readonly #entries: AuditEntry[] = [];

  async append(records: AuditRecord[]): Promise<AuditEntry[]> {
    const chained = chainRecords(this.#entries.at(-1), records);
    this.#entries.push(...chained);
    return chained;
  }

  async query(query: AuditQuery): Promise<AuditEntry[]> {
    const limit = query.limit ?? 20;
    const found: AuditEntry[] = [];
    for (let i = this.#entries.length - 1; i >= 0 && found.length < limit; i--) {
      const entry = this.#entries[i]!;
      if (matchesAuditQuery(entry, query)) found.push(entry);
    }
    return found;
  }

  async *entries(): AsyncIterable<AuditEntry> {
    yield* this.#entries;
  }
}
