/**
 * Audit rows as stored and read back: the body (authoritative canonical JSON) and the indexed columns that copy its
 * fields, cross-checked on every read so that editing a column alone is caught by verification too.
 * @module
 */
import type { AuditEntry } from "@switchboard/core";
import { canonicalJson, hashEntry } from "@switchboard/core/audit";

/** A stored row (`seq` comes back from `bigint` as a string). */
export interface AuditRow {
  seq: string | number;
  time: string;
  event: string;
  job_id: string | null;
  actor: string | null;
  command: string | null;
  outcome: string | null;
  prev_hash: string;
  hash: string;
  body: string;
}

/** The columns that copy a field of the body: column name, entry field. */
const INDEXED_FIELDS = [
  ["time", "time"],
  ["event", "event"],
  ["job_id", "jobId"],
  ["actor", "actor"],
  ["command", "command"],
  ["outcome", "outcome"],
  ["prev_hash", "prevHash"],
  ["hash", "hash"],
] as const satisfies ReadonlyArray<readonly [keyof AuditRow, keyof AuditEntry]>;

/** `String.prototype.isWellFormed` and `toWellFormed` (ES2024; in Node since 20). */
type WellFormedString = string & { isWellFormed(): boolean; toWellFormed(): string };

/**
 * The value an indexed text column holds for an entry field. PostgreSQL text holds neither NUL nor lone UTF-16
 * surrogates: both become U+FFFD, so the column reads back exactly as written and compares equal to the field.
 */
export function columnValue(value: unknown): string | null {
  if (value === undefined || value === null) return null;
  const text = (typeof value === "string" ? value : canonicalJson(value)) as WellFormedString;
  const wellFormed = text.isWellFormed() ? text : text.toWellFormed();
  return wellFormed.includes("\0") ? wellFormed.replaceAll("\0", "\uFFFD") : wellFormed;
}

function parseBody(row: AuditRow): AuditEntry {
  let entry: unknown;
  try {
    entry = JSON.parse(row.body);
  } catch {
    entry = undefined;
  }
  if (entry === null || typeof entry !== "object" || Array.isArray(entry))
    throw new Error(`audit entry #${row.seq}: its stored body is not a JSON object (the table was edited)`);
  return entry as AuditEntry;
}

/**
 * The entry a row stands for, as `verifyChain` should see it: the body, or — when a column disagrees with a body
 * that still matches its own hash — the body with the disagreeing columns laid over it, which fails verification at
 * this seq. (Same rule as store-sqlite.)
 */
export function rowToEntry(row: AuditRow): AuditEntry {
  const body = parseBody(row);
  let overlay: Record<string, unknown> | undefined;
  if (Number(row.seq) !== body.seq) overlay = { ...body, seq: Number(row.seq) };
  for (const [column, field] of INDEXED_FIELDS) {
    if (row[column] === columnValue(body[field])) continue;
    if (overlay === undefined) overlay = { ...body };
    overlay[field] = row[column] ?? undefined;
  }
  if (overlay === undefined) return body;
  const { hash, ...rest } = body;
  if (hashEntry(rest) !== hash) return body;
  return overlay as unknown as AuditEntry;
}
