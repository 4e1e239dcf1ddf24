/**
 * The audit log in PostgreSQL: one hash chain for every instance, appended through the `audit_append` function (one
 * round trip: lock the head row, chain, sha256 in SQL, insert), verified in Node by core's `verifyChain`.
 * @module
 */
import type { AuditEntry, AuditLog, AuditRecord } from "@switchboard/core";
import type { AuditQuery } from "@switchboard/core/audit";
import { chainRecords, GENESIS_HASH } from "@switchboard/core/audit";
import type pg from "pg";
import { type AuditRow, columnValue, rowToEntry } from "./audit-rows.js";

/** How many rows {@link PostgresAuditLog.entries} reads per query. */
const PAGE_SIZE = 1000;

/** Query filters that have an indexed column. */
const QUERY_COLUMNS = [
  ["actor", "actor"],
  ["command", "command"],
  ["outcome", "outcome"],
  ["event", "event"],
  ["jobId", "job_id"],
] as const satisfies ReadonlyArray<readonly [keyof AuditQuery, keyof AuditRow]>;

const PREV_HASH_KEY = `"prevHash":"${GENESIS_HASH}"`;

/**
 * The pieces of one record's canonical encoding around the fields the database fills in (prevHash, seq, time).
 * Made by chaining the record alone after nothing (seq 1, genesis prevHash, a fixed time) and cutting the text at
 * those keys: canonical keys are sorted, so `prevHash` follows `outcome` and `seq`, `time` close the object. Keys of
 * nested objects (`args`, `detail`) all come before `prevHash`, hence the last occurrence.
 */
export function splitRecord(record: AuditRecord): { before: string; middle: string; entry: AuditEntry } {
  let text = "";
  const [entry] = chainRecords(undefined, [record], new Date(0), (json) => {
    text = json;
  });
  const at = text.lastIndexOf(PREV_HASH_KEY);
  const seqAt = text.lastIndexOf(`"seq":1,"time":"`);
  if (at < 0 || seqAt < at) throw new Error("unexpected canonical encoding of an audit record");
  return { before: text.slice(0, at), middle: text.slice(at + PREV_HASH_KEY.length, seqAt), entry: entry! };
}

/** Parameters of `audit_append` for a batch, plus the entries to fill in from its result. */
function appendParameters(records: AuditRecord[]): { params: unknown[]; entries: AuditEntry[] } {
  const before: string[] = [];
  const middle: string[] = [];
  const event: Array<string | null> = [];
  const jobId: Array<string | null> = [];
  const actor: Array<string | null> = [];
  const command: Array<string | null> = [];
  const outcome: Array<string | null> = [];
  const entries: AuditEntry[] = [];
  for (const record of records) {
    const split = splitRecord(record);
    before.push(split.before);
    middle.push(split.middle);
    event.push(columnValue(record.event));
    jobId.push(columnValue(record.jobId));
    actor.push(columnValue(record.actor));
    command.push(columnValue(record.command));
    outcome.push(columnValue(record.outcome));
    entries.push(split.entry);
  }
  return { params: [before, middle, event, jobId, actor, command, outcome], entries };
}

/** The SQL of one append (a batch of records). */
export const APPEND_SQL = "SELECT seq, prev_hash, hash, time FROM audit_append($1, $2, $3, $4, $5, $6, $7)";

/** A row `audit_append` returns. */
export interface AppendedRow {
  seq: string;
  prev_hash: string;
  hash: string;
  time: string;
}

/** Fills in what the database decided (seq, time, prevHash, hash) on the entries built in Node. */
export function fillEntries(entries: AuditEntry[], rows: AppendedRow[]): AuditEntry[] {
  return entries.map((entry, i) => {
    const row = rows[i]!;
    entry.seq = Number(row.seq);
    entry.time = row.time;
    entry.prevHash = row.prev_hash;
    entry.hash = row.hash;
    return entry;
  });
}

/**
 * Appends `records` through `audit_append` on `client` (inside the caller's transaction, if any) and returns the
 * stored entries. `statement` replaces the SQL (it must take the seven append parameters first, then `extra`).
 */
export async function appendOn(
  client: pg.ClientBase | pg.Pool,
  records: AuditRecord[],
  statement?: { sql: string; extra: unknown[] },
): Promise<AuditEntry[]> {
  if (records.length === 0) return [];
  const { params, entries } = appendParameters(records);
  const { rows } = await client.query<AppendedRow>(statement?.sql ?? APPEND_SQL, [
    ...params,
    ...(statement?.extra ?? []),
  ]);
  return fillEntries(entries, rows);
}

/**
 * The {@link AuditLog} on PostgreSQL. Every instance appends to the same chain: `audit_append` holds the head row
 * (FOR UPDATE) for the few microseconds of one call, so appends from any number of processes are serialised and
 * gapless. Entries cannot be changed (triggers refuse UPDATE and DELETE); someone with table-owner rights can still
 * edit rows, which {@link verifyChain} over {@link PostgresAuditLog.entries} detects, including an edit of an
 * indexed column alone.
 */
export class PostgresAuditLog implements AuditLog {
  readonly #pool: pg.Pool;

  /** @param pool - A pool from {@link openPostgres} (schema migrated, sessions guarded). */
  constructor(pool: pg.Pool) {
    this.#pool = pool;
  }

  /** Chains and stores `records` in one round trip; resolves after COMMIT (`synchronous_commit` as configured). */
  append(records: AuditRecord[]): Promise<AuditEntry[]> {
    return appendOn(this.#pool, records);
  }

  /** Matching entries, newest first, at most `query.limit` (default 20). */
  async query(query: AuditQuery): Promise<AuditEntry[]> {
    const limit = query.limit ?? 20;
    if (!(limit > 0)) return [];
    const params: unknown[] = [];
    const conditions: string[] = [];
    for (const [filter, column] of QUERY_COLUMNS) {
      const value = query[filter];
      if (value === undefined) continue;
      params.push(columnValue(value));
      conditions.push(`${column} = $${params.length}`);
    }
    params.push(Number.isFinite(limit) ? Math.ceil(limit) : null);
    const where = conditions.length > 0 ? ` WHERE ${conditions.join(" AND ")}` : "";
    const { rows } = await this.#pool.query<AuditRow>(
      `SELECT * FROM audit${where} ORDER BY seq DESC LIMIT $${params.length}`,
      params,
    );
    return rows.map(rowToEntry);
  }

  /** Every entry, oldest first, a page at a time; a row whose columns disagree with its body fails verification. */
  async *entries(): AsyncIterable<AuditEntry> {
    let after = 0;
    for (;;) {
      const { rows } = await this.#pool.query<AuditRow>("SELECT * FROM audit WHERE seq > $1 ORDER BY seq LIMIT $2", [
        after,
        PAGE_SIZE,
      ]);
      for (const row of rows) yield rowToEntry(row);
      if (rows.length < PAGE_SIZE) return;
      after = Number(rows.at(-1)!.seq);
    }
  }

  /** The pool belongs to {@link openPostgres}; closing the log does nothing. */
  async close(): Promise<void> {}
}
