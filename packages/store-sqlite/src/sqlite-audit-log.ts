import type { AuditEntry, AuditLog, AuditRecord } from "@switchboard/core";
import type { AuditQuery } from "@switchboard/core/audit";
import { canonicalJson, chainRecords, hashEntry } from "@switchboard/core/audit";
import type Database from "better-sqlite3";
import type { SqliteDatabase } from "./open-database.js";
import { migrate } from "./schema.js";

/** Options for {@link SqliteAuditLog}. */
export interface SqliteAuditLogOptions {
  /** When true, {@link SqliteAuditLog.close} also closes the database. Default `false` (the caller owns it). */
  closeDatabase?: boolean;
}

/** A stored row. `body` is authoritative; the other columns are copies of its fields, kept for indexing. */
interface AuditRow {
  seq: number;
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

/** How many rows {@link SqliteAuditLog.entries} reads per query. */
const PAGE_SIZE = 1000;

/** The columns that copy a field of the body: column name, entry field. */
const INDEXED_FIELDS = [
  ["seq", "seq"],
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
 * The value an indexed text column holds for an entry field. Lone UTF-16 surrogates become U+FFFD, which is what
 * SQLite's UTF-8 text can hold, so the column reads back exactly as written and compares equal to the body's field.
 * (Checked without a regular expression: this runs for eight columns of every row.)
 */
function columnValue(value: unknown): string | null {
  if (value === undefined || value === null) return null;
  if (typeof value !== "string") return canonicalJson(value);
  const text = value as WellFormedString;
  return text.isWellFormed() ? text : text.toWellFormed();
}

/** True when a stored column holds what the body says. */
function columnMatches(stored: unknown, field: unknown): boolean {
  return typeof stored === "number" ? stored === field : stored === columnValue(field);
}

function parseBody(row: Pick<AuditRow, "seq" | "body">): AuditEntry {
  let entry: unknown;
  try {
    entry = JSON.parse(row.body);
  } catch {
    entry = undefined;
  }
  if (entry === null || typeof entry !== "object" || Array.isArray(entry))
    throw new Error(
      `audit entry #${row.seq}: its stored body is not a JSON object (the file was edited or is corrupt)`,
    );
  return entry as AuditEntry;
}

/**
 * The entry a row stands for, as {@link verifyChain} should see it. Normally that is the stored body. When a column
 * disagrees with the body, one of the two was edited behind the log's back: if the body no longer matches its own
 * hash it is returned as is; otherwise the body with the disagreeing columns laid over it is returned. Either way the
 * result fails verification at this row's seq, so tampering with an index column alone is caught too.
 */
function rowToEntry(row: AuditRow): AuditEntry {
  const body = parseBody(row);
  let overlay: Record<string, unknown> | undefined;
  for (const [column, field] of INDEXED_FIELDS) {
    if (columnMatches(row[column], body[field])) continue;
    if (overlay === undefined) overlay = { ...body };
    overlay[field] = row[column] ?? undefined;
  }
  if (overlay === undefined) return body;
  const { hash, ...rest } = body;
  if (hashEntry(rest) !== hash) return body;
  return overlay as unknown as AuditEntry;
}

/** Query filters that have a column in `audit`, in SQL parameter order. */
const QUERY_COLUMNS = [
  ["actor", "actor"],
  ["command", "command"],
  ["outcome", "outcome"],
  ["event", "event"],
  ["jobId", "job_id"],
] as const satisfies ReadonlyArray<readonly [keyof AuditQuery, keyof AuditRow]>;

/** Query filters that `audit_facets` copies (schema version 4): scanned there, newest first, when no job is named. */
const FACET_FILTERS = ["actor", "command", "outcome"] as const satisfies ReadonlyArray<keyof AuditQuery>;

/**
 * The SQL of a query and its parameters. A job id uses the `audit_job_id` index. Otherwise a filter on actor, command
 * or outcome scans the narrow `audit_facets` table from the newest row and reads the matching bodies by `seq`
 * (`CROSS JOIN` keeps that order: the wide table is never scanned); the same conditions are checked on `audit`'s
 * own columns too, so a row edited in one table only is not returned for a filter it does not match.
 */
function querySql(query: AuditQuery, limit: number): { sql: string; params: unknown[] } {
  const params: unknown[] = [];
  const conditions: string[] = [];
  const viaFacets = query.jobId === undefined && FACET_FILTERS.some((f) => query[f] !== undefined);
  if (viaFacets)
    for (const filter of FACET_FILTERS) {
      const value = query[filter];
      if (value === undefined) continue;
      conditions.push(`f.${filter} = ?`);
      params.push(columnValue(value));
    }
  for (const [filter, column] of QUERY_COLUMNS) {
    const value = query[filter];
    if (value === undefined) continue;
    conditions.push(`a.${column} = ?`);
    params.push(columnValue(value));
  }
  params.push(Number.isFinite(limit) ? Math.ceil(limit) : -1);
  const where = conditions.length > 0 ? ` WHERE ${conditions.join(" AND ")}` : "";
  const sql = viaFacets
    ? `SELECT a.seq, a.body FROM audit_facets f CROSS JOIN audit a ON a.seq = f.seq${where} ORDER BY f.seq DESC LIMIT ?`
    : `SELECT a.seq, a.body FROM audit a${where} ORDER BY a.seq DESC LIMIT ?`;
  return { sql, params };
}

/**
 * The durable {@link AuditLog}: an append-only, hash-chained log in a SQLite table.
 *
 * - {@link SqliteAuditLog.append} chains records after the last stored entry and inserts them in one IMMEDIATE
 *   transaction, so several processes (or connections) can append to the same file and still form one chain.
 * - Entries cannot be changed through the API, and SQLite triggers refuse UPDATE and DELETE on the table. Someone
 *   with write access to the file can still drop the triggers and edit it; {@link verifyChain} over
 *   {@link SqliteAuditLog.entries} detects that.
 * - Each row stores the whole entry as JSON in `body`: the canonical encoding core's `chainRecords` hashed, with the
 *   `hash` field appended. The body is authoritative; `seq`, `time`, `event`, `job_id`, `actor`, `command`,
 *   `outcome`, `prev_hash` and `hash` are copies of its fields, kept as columns so they can be indexed.
 *   {@link SqliteAuditLog.entries} cross-checks the two, so editing only a column is detected too.
 *
 * The methods are synchronous underneath (better-sqlite3); the returned promises settle after the work is done.
 */
export class SqliteAuditLog implements AuditLog {
  readonly #db: SqliteDatabase;
  readonly #closeDatabase: boolean;
  readonly #insert: Database.Statement;
  readonly #insertFacets: Database.Statement;
  readonly #last: Database.Statement<[], { seq: number; hash: string }>;
  readonly #page: Database.Statement<[number, number], AuditRow>;
  readonly #queries = new Map<string, Database.Statement<unknown[], Pick<AuditRow, "seq" | "body">>>();
  readonly #append: Database.Transaction<(batches: AuditRecord[][]) => AuditEntry[][]>;
  /** Appends waiting for the next group commit. */
  #pending: Array<{
    records: AuditRecord[];
    resolve: (entries: AuditEntry[]) => void;
    reject: (error: unknown) => void;
  }> = [];

  /**
   * @param db - An open database, normally from {@link openDatabase}. Its schema is brought up to date.
   */
  constructor(db: SqliteDatabase, options: SqliteAuditLogOptions = {}) {
    migrate(db);
    this.#db = db;
    this.#closeDatabase = options.closeDatabase ?? false;
    this.#insert = db.prepare(
      `INSERT INTO audit (seq, time, event, job_id, actor, command, outcome, prev_hash, hash, body)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    this.#insertFacets = db.prepare("INSERT INTO audit_facets (seq, actor, command, outcome) VALUES (?, ?, ?, ?)");
    this.#last = db.prepare("SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1");
    this.#page = db.prepare("SELECT * FROM audit WHERE seq > ? ORDER BY seq LIMIT ?");
    const insert = (body: string, entry: AuditEntry): void => {
      const actor = columnValue(entry.actor);
      const command = columnValue(entry.command);
      const outcome = columnValue(entry.outcome);
      this.#insert.run(
        entry.seq,
        columnValue(entry.time),
        columnValue(entry.event),
        columnValue(entry.jobId),
        actor,
        command,
        outcome,
        columnValue(entry.prevHash),
        columnValue(entry.hash),
        body,
      );
      if (actor !== null || command !== null || outcome !== null)
        this.#insertFacets.run(entry.seq, actor, command, outcome);
    };
    this.#append = db.transaction((batches: AuditRecord[][]) => {
      // Read the last entry inside the IMMEDIATE transaction: another connection may have appended since. The body
      // is the JSON text chainRecords hashed (plus the hash), so nothing is encoded twice.
      let last: { seq: number; hash: string } | undefined = this.#last.get();
      const now = new Date();
      return batches.map((records) => {
        const entries = chainRecords(last, records, now, insert);
        last = entries.at(-1) ?? last;
        return entries;
      });
    });
  }

  /**
   * Chains `records` after the last stored entry and stores them. Resolves after the commit (durable as configured
   * by the database's `synchronous` mode). An empty array writes nothing.
   *
   * Group commit: appends made in the same turn of the event loop (concurrent jobs) are written in one transaction,
   * in the order they were made, each batch still contiguous in the chain. If that transaction fails, all of them
   * reject and nothing of them is stored.
   */
  append(records: AuditRecord[]): Promise<AuditEntry[]> {
    if (records.length === 0) return Promise.resolve([]);
    return new Promise((resolve, reject) => {
      this.#pending.push({ records, resolve, reject });
      if (this.#pending.length === 1) queueMicrotask(() => this.#flush());
    });
  }

  #flush(): void {
    const batch = this.#pending;
    this.#pending = [];
    try {
      const results = this.#append.immediate(batch.map((b) => b.records));
      for (let i = 0; i < batch.length; i++) batch[i]!.resolve(results[i]!);
    } catch (error) {
      for (const b of batch) b.reject(error);
    }
  }

  /**
   * Matching entries, newest first, at most `query.limit` (default 20). A job id uses its index; actor, command and
   * outcome scan the narrow `audit_facets` table from the newest entry (see {@link querySql}).
   */
  async query(query: AuditQuery): Promise<AuditEntry[]> {
    const limit = query.limit ?? 20;
    if (!(limit > 0)) return [];
    const { sql, params } = querySql(query, limit);
    let statement = this.#queries.get(sql);
    if (statement === undefined) {
      statement = this.#db.prepare(sql);
      this.#queries.set(sql, statement);
    }
    return statement.all(...params).map(parseBody);
  }

  /**
   * Every entry, oldest first, read from the stored bodies a page at a time (other calls may run between pages;
   * entries appended meanwhile are included). A row whose indexed columns disagree with its body is yielded in a
   * form that fails {@link verifyChain} at its seq.
   *
   * @throws When a stored body is not a JSON object.
   */
  async *entries(): AsyncIterable<AuditEntry> {
    let after = 0;
    for (;;) {
      const rows = this.#page.all(after, PAGE_SIZE);
      for (const row of rows) yield rowToEntry(row);
      if (rows.length < PAGE_SIZE) return;
      after = rows.at(-1)!.seq;
    }
  }

  /** Closes the database if this log was created with `closeDatabase: true`; otherwise does nothing. */
  async close(): Promise<void> {
    if (this.#closeDatabase && this.#db.open) this.#db.close();
  }
}
