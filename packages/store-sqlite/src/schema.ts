import type Database from "better-sqlite3";

/** One step of the schema: `sql` takes the database from `version - 1` to `version`. */
interface Migration {
  version: number;
  sql: string;
}

/**
 * The schema, as an ordered list of migrations. Never edit a released migration: append a new one.
 *
 * Version 1:
 * - `kv`: plugin key/value data; `value` is JSON.
 * - `locks`: leases; times are milliseconds since the epoch.
 * - `audit`: the hash-chained audit log. `body` is the whole entry as JSON (canonical, `hash` last) and is
 *   authoritative; the other columns copy fields of it so they can be indexed (partial indexes: rows without the field cost nothing; an
 *   `x = ?` filter implies `x IS NOT NULL`, so queries still use them). Triggers refuse UPDATE and DELETE: the log
 *   is append-only.
 *
 * Version 2:
 * - `claims`: the latest claimed occurrence of each recurring thing (a schedule's due time, milliseconds since the
 *   epoch) and who claimed it; a claim is one conditional upsert, so two processes cannot both make it.
 *
 * Version 3:
 * - `database_identity`: one row, the database's id (32 random hex digits) and when it was made, created with the
 *   database. Checkpoint files are named after it, so a database deleted and created again at the same path is a
 *   different database, not a tampered one. `adopted` is 1 when the id was added to a database that already had
 *   audit entries (made before version 3): its checkpoints are the ones named after its path alone.
 *
 * Version 4 (issue 17): the audit table keeps one secondary index, `audit_job_id` (approvals, `audit --job`, the
 * GitHub route). The indexes on `actor`, `command` and `outcome` are dropped: their random keys cost a leaf page each
 * in every commit. `audit --user/--command/--outcome` scan `audit_facets` instead, a narrow copy of those three
 * columns keyed by `seq` and written in the same transaction as the entry (always at the end of the table, so the
 * same page as the entry before it): newest first, stopping at the limit, about 30 bytes a row where `audit` holds
 * the whole body. Rows without any of the three fields are not copied. Triggers make it append-only too. The
 * entries themselves are not touched, so the chain and its checkpoints verify as before.
 */
const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    sql: `
      CREATE TABLE kv (
        namespace TEXT NOT NULL,
        key TEXT NOT NULL,
        value TEXT NOT NULL,
        PRIMARY KEY (namespace, key)
      ) STRICT, WITHOUT ROWID;

      CREATE TABLE locks (
        name TEXT PRIMARY KEY NOT NULL,
        owner TEXT NOT NULL,
        reason TEXT NOT NULL,
        acquired_at INTEGER NOT NULL,
        expires_at INTEGER NOT NULL
      ) STRICT;

      CREATE TABLE audit (
        seq INTEGER PRIMARY KEY,
        time TEXT NOT NULL,
        event TEXT NOT NULL,
        job_id TEXT,
        actor TEXT,
        command TEXT,
        outcome TEXT,
        prev_hash TEXT NOT NULL,
        hash TEXT NOT NULL,
        body TEXT NOT NULL
      ) STRICT;
      CREATE INDEX audit_actor ON audit (actor) WHERE actor IS NOT NULL;
      CREATE INDEX audit_command ON audit (command) WHERE command IS NOT NULL;
      CREATE INDEX audit_outcome ON audit (outcome) WHERE outcome IS NOT NULL;
      CREATE INDEX audit_job_id ON audit (job_id) WHERE job_id IS NOT NULL;

      CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit
      BEGIN SELECT RAISE(ABORT, 'the audit log is append-only: entries cannot be updated'); END;
      CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit
      BEGIN SELECT RAISE(ABORT, 'the audit log is append-only: entries cannot be deleted'); END;
    `,
  },
  {
    version: 2,
    sql: `
      CREATE TABLE claims (
        name TEXT PRIMARY KEY NOT NULL,
        at INTEGER NOT NULL,
        owner TEXT NOT NULL,
        claimed_at INTEGER NOT NULL
      ) STRICT;
    `,
  },
  {
    version: 3,
    sql: `
      CREATE TABLE database_identity (
        id TEXT NOT NULL,
        created_at TEXT NOT NULL,
        adopted INTEGER NOT NULL
      ) STRICT;
      INSERT INTO database_identity (id, created_at, adopted)
        SELECT lower(hex(randomblob(16))), strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), EXISTS (SELECT 1 FROM audit);
      CREATE TRIGGER database_identity_no_update BEFORE UPDATE ON database_identity
      BEGIN SELECT RAISE(ABORT, 'the database identity cannot be changed'); END;
      CREATE TRIGGER database_identity_no_insert BEFORE INSERT ON database_identity
      BEGIN SELECT RAISE(ABORT, 'the database has its identity'); END;
    `,
  },
  {
    version: 4,
    sql: `
      DROP INDEX audit_actor;
      DROP INDEX audit_command;
      DROP INDEX audit_outcome;

      CREATE TABLE audit_facets (
        seq INTEGER PRIMARY KEY,
        actor TEXT,
        command TEXT,
        outcome TEXT
      ) STRICT;
      INSERT INTO audit_facets (seq, actor, command, outcome)
        SELECT seq, actor, command, outcome FROM audit
        WHERE actor IS NOT NULL OR command IS NOT NULL OR outcome IS NOT NULL;

      CREATE TRIGGER audit_facets_no_update BEFORE UPDATE ON audit_facets
      BEGIN SELECT RAISE(ABORT, 'the audit log is append-only: entries cannot be updated'); END;
      CREATE TRIGGER audit_facets_no_delete BEFORE DELETE ON audit_facets
      BEGIN SELECT RAISE(ABORT, 'the audit log is append-only: entries cannot be deleted'); END;
    `,
  },
];

/** Who a database is: an id made with it (see version 3 of the schema). */
export interface DatabaseIdentity {
  /** 32 hex digits, random, made when the database was created (or first opened by a version that has ids). */
  id: string;
  /** ISO-8601 time the id was made. */
  createdAt: string;
  /** True when the id was added to a database that already had audit entries. */
  adopted: boolean;
}

/** The identity of an open, migrated database. */
export function databaseIdentity(db: Database.Database): DatabaseIdentity {
  const row = db.prepare("SELECT id, created_at, adopted FROM database_identity").get() as
    | { id: string; created_at: string; adopted: number }
    | undefined;
  if (!row) throw new Error("the database has no identity row (database_identity is empty)");
  return { id: row.id, createdAt: row.created_at, adopted: row.adopted === 1 };
}

/** The schema version this package writes. */
export const SCHEMA_VERSION = MIGRATIONS.at(-1)!.version;

function currentVersion(db: Database.Database): number {
  const table = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_version'").get();
  if (table === undefined) return 0;
  const row = db.prepare("SELECT max(version) AS version FROM schema_version").get() as { version: number | null };
  return row.version ?? 0;
}

function checkNotNewer(version: number): void {
  if (version > SCHEMA_VERSION)
    throw new Error(
      `this database has schema version ${version}, newer than the ${SCHEMA_VERSION} this @switchboard/store-sqlite understands; upgrade Switchboard`,
    );
}

/**
 * Brings the schema up to date (or up to version `to`: tests make a database as an older release left it).
 * Idempotent and safe when several processes open the same file at once: the migrations run in one IMMEDIATE
 * transaction that re-reads the version after taking the write lock.
 *
 * @throws When the database's schema is newer than {@link SCHEMA_VERSION}.
 */
export function migrate(db: Database.Database, to = SCHEMA_VERSION): void {
  const seen = currentVersion(db);
  checkNotNewer(seen);
  if (seen >= to) return;
  db.transaction(() => {
    db.exec("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL) STRICT");
    const version = currentVersion(db);
    checkNotNewer(version);
    const record = db.prepare("INSERT INTO schema_version (version, applied_at) VALUES (?, ?)");
    for (const migration of MIGRATIONS) {
      if (migration.version <= version || migration.version > to) continue;
      db.exec(migration.sql);
      record.run(migration.version, new Date().toISOString());
    }
  }).immediate();
}
