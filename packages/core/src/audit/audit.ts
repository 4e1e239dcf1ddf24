/**
 * The audit log: append-only and hash-chained. Each entry carries the hash of the previous one, computed over a
 * canonical JSON encoding, so editing or removing any entry breaks every hash after it.
 * @module
 */
import { hash } from "node:crypto";

/**
 * What happened, as the runtime writes it. A command that runs at once writes `admitted` (what was received, the
 * decision and its rule) then `outcome`; a denial writes one `denied`; an approval adds `approval-requested` and one
 * `approval` per person. `operator` records what an operator did to the log itself from the command line
 * (`audit re-anchor`, `audit rotate-key`); its `detail.summary` says it in one sentence.
 */
export type AuditEvent =
  | "admitted"
  | "denied"
  | "approval-requested"
  | "approval"
  | "outcome"
  | "role"
  | "trust"
  | "alias"
  | "schedule"
  | "webhook"
  | "plugin"
  | "operator"
  | "error";

/** Events that earlier versions wrote and nothing writes now: entries with them still verify and display. */
export type LegacyAuditEvent = "received" | "decision" | "started";

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
export interface AuditEntry extends Omit<AuditRecord, "event"> {
  /** What the record says happened (entries of earlier versions may carry a {@link LegacyAuditEvent}). */
  event: AuditEvent | LegacyAuditEvent;
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

const isPlainObject = (value: object) => {
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
};

/** True when a plain object's keys are already in sorted order with no `undefined` values (nothing to copy). */
function isCanonicalObject(value: Record<string, unknown>): boolean {
  let previous: string | undefined;
  for (const key in value) {
    const v = value[key];
    if (v === undefined || (previous !== undefined && previous >= key)) return false;
    if (
      v !== null &&
      typeof v === "object" &&
      (Array.isArray(v) || !isPlainObject(v) || !isCanonicalObject(v as Record<string, unknown>))
    )
      return false;
    previous = key;
  }
  return true;
}

/** Copies plain objects with their keys sorted (recursively) and drops `undefined` values. */
function sortKeys(value: unknown): unknown {
  if (value === null || typeof value !== "object") return value;
  if (Array.isArray(value)) return value.map(sortKeys);
  if (!isPlainObject(value)) return value;
  if (isCanonicalObject(value as Record<string, unknown>)) return value;
  const sorted: Record<string, unknown> = {};
  for (const key of Object.keys(value).sort()) {
    const v = (value as Record<string, unknown>)[key];
    if (v !== undefined) sorted[key] = sortKeys(v);
  }
  return sorted;
}

/** JSON with object keys sorted and `undefined` dropped: the same value always encodes to the same bytes. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortKeys(value)) ?? "null";
}

/** The hash an entry must carry: sha256 over its canonical encoding, without the hash field. */
export function hashEntry(entry: Omit<AuditEntry, "hash">): string {
  return hash("sha256", canonicalJson(entry));
}

/**
 * Builds the entry with its keys in canonical (sorted) order and nested objects canonical, so that
 * `JSON.stringify(entry)` is its canonical encoding (undefined fields are left out by JSON.stringify).
 * Fields that are not part of {@link AuditRecord} are not kept.
 */
function canonicalEntry(
  record: AuditRecord | Omit<AuditEntry, "seq" | "time" | "prevHash" | "hash">,
  seq: number,
  time: string,
  prevHash: string,
): AuditEntry {
  return {
    actor: record.actor,
    args: record.args === undefined ? undefined : (sortKeys(record.args) as Record<string, unknown>),
    command: record.command,
    decision: record.decision,
    detail: record.detail === undefined ? undefined : (sortKeys(record.detail) as Record<string, unknown>),
    durationMs: record.durationMs,
    errorId: record.errorId,
    event: record.event,
    hash: "",
    jobId: record.jobId,
    network: record.network,
    outcome: record.outcome,
    prevHash,
    room: record.room,
    rule: record.rule,
    seq,
    time,
  } as AuditEntry;
}

/** The millisecond last written and its ISO-8601 text: entries written in the same millisecond share the text. */
let lastTimeMs = Number.NaN;
let lastTimeText = "";

function isoTime(ms: number): string {
  if (ms !== lastTimeMs) {
    lastTimeText = new Date(ms).toISOString();
    lastTimeMs = ms;
  }
  return lastTimeText;
}

type Chainable = AuditRecord | Omit<AuditEntry, "seq" | "time" | "prevHash" | "hash">;

/**
 * Chains records after `previous` at `timeMs`; `keep` gets each entry's canonical encoding (what its hash is
 * over, without `hash`) and the entry.
 */
function chainAt(
  previous: { seq: number; hash: string } | undefined,
  records: Chainable[],
  timeMs: number,
  keep: ((canonical: string, entry: AuditEntry) => void) | undefined,
): AuditEntry[] {
  let seq = previous?.seq ?? 0;
  let prevHash = previous?.hash ?? GENESIS_HASH;
  const time = isoTime(timeMs);
  const entries: AuditEntry[] = [];
  for (const record of records) {
    const entry = canonicalEntry(record, ++seq, time, prevHash);
    // Keys are in canonical order and nested objects are canonical: without `hash`, JSON.stringify is the
    // canonical encoding. `hash` is undefined while encoding so it is left out, then filled in.
    (entry as { hash?: string }).hash = undefined;
    const canonical = JSON.stringify(entry);
    entry.hash = hash("sha256", canonical);
    keep?.(canonical, entry);
    prevHash = entry.hash;
    entries.push(entry);
  }
  return entries;
}

/** An entry's stored JSON text: its canonical encoding with `hash` added as the last field. */
function withHash(canonical: string, entryHash: string): string {
  return `${canonical.slice(0, -1)},"hash":"${entryHash}"}`;
}

/**
 * Chains records after `previous` (the last stored entry, or none for an empty log). `onEncoded`, if given, gets
 * each entry's JSON text (canonical field order, `hash` last) so a store can keep it without encoding it again.
 */
export function chainRecords(
  previous: { seq: number; hash: string } | undefined,
  records: Chainable[],
  now = new Date(),
  onEncoded?: (json: string, entry: AuditEntry) => void,
): AuditEntry[] {
  return chainAt(
    previous,
    records,
    now.getTime(),
    onEncoded && ((canonical, entry) => onEncoded(withHash(canonical, entry.hash), entry)),
  );
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
    const { hash: stored, ...rest } = entry;
    if (entry.seq !== expectedSeq)
      return {
        ok: false,
        checked,
        firstBad: {
          seq: entry.seq,
          reason: `expected entry #${expectedSeq} here (an entry is missing or was inserted)`,
        },
      };
    if (entry.prevHash !== prevHash)
      return {
        ok: false,
        checked,
        firstBad: { seq: entry.seq, reason: "its link to the previous entry does not match" },
      };
    if (hashEntry(rest) !== stored)
      return {
        ok: false,
        checked,
        firstBad: { seq: entry.seq, reason: "its content does not match its hash (it was edited)" },
      };
    prevHash = stored;
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

/** Bytes of one block of {@link MemoryAuditLog}'s storage (an entry larger than this gets a block of its own). */
const BLOCK_BYTES = 1 << 20;

/**
 * An {@link AuditLog} in memory: for tests, benchmarks and embedding (not tamper-proof across restarts).
 * Entries are kept as their JSON text (canonical field order, `hash` last), in UTF-8 in blocks of memory outside the
 * JavaScript heap: the garbage collector neither copies nor scans them, which a string per entry would cost on every
 * collection while the log grows. Reading parses them back.
 */
export class MemoryAuditLog implements AuditLog {
  readonly #blocks: Buffer[] = [];
  /** The block being filled and how many of its bytes are used. */
  #block: Buffer | undefined;
  #used = 0;
  /** Per entry, in order: its block's index, its first byte, the byte after its last. */
  readonly #where: number[] = [];
  #last: { seq: number; hash: string } | undefined;
  readonly #keep = (canonical: string, entry: AuditEntry) => {
    // UTF-8 takes at most three bytes per UTF-16 unit; the hash field adds 78 ASCII bytes.
    const most = canonical.length * 3 + 80;
    let block = this.#block;
    if (block === undefined || block.length - this.#used < most) {
      block = Buffer.allocUnsafeSlow(Math.max(BLOCK_BYTES, most));
      this.#blocks.push(block);
      this.#block = block;
      this.#used = 0;
    }
    const start = this.#used;
    // The canonical text without its closing brace, then the hash as the last field.
    const end = start + block.write(canonical, start) - 1;
    this.#used = end + block.write(`,"hash":"${entry.hash}"}`, end, "latin1");
    this.#where.push(this.#blocks.length - 1, start, this.#used);
  };

  async append(records: AuditRecord[]): Promise<AuditEntry[]> {
    const chained = chainAt(this.#last, records, Date.now(), this.#keep);
    const last = chained[chained.length - 1];
    if (last) this.#last = { seq: last.seq, hash: last.hash };
    return chained;
  }

  get #count(): number {
    return this.#where.length / 3;
  }

  #entry(i: number): AuditEntry {
    const where = this.#where;
    const block = this.#blocks[where[3 * i]!]!;
    return JSON.parse(block.toString("utf8", where[3 * i + 1], where[3 * i + 2])) as AuditEntry;
  }

  async query(query: AuditQuery): Promise<AuditEntry[]> {
    const limit = query.limit ?? 20;
    const found: AuditEntry[] = [];
    for (let i = this.#count - 1; i >= 0 && found.length < limit; i--) {
      const entry = this.#entry(i);
      if (matchesAuditQuery(entry, query)) found.push(entry);
    }
    return found;
  }

  async *entries(): AsyncIterable<AuditEntry> {
    for (let i = 0; i < this.#count; i++) yield this.#entry(i);
  }
}
