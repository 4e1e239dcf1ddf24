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
];

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
 * Brings the schema up to date. Idempotent and safe when several processes open the same file at once: the
 * migrations run in one IMMEDIATE transaction that re-reads the version after taking the write lock.
 *
 * @throws When the database's schema is newer than {@link SCHEMA_VERSION}.
 */
export function migrate(db: Database.Database): void {
  const seen = currentVersion(db);
  checkNotNewer(seen);
  if (seen === SCHEMA_VERSION) return;
  db.transaction(() => {
    db.exec("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL) STRICT");
    const version = currentVersion(db);
    checkNotNewer(version);
    const record = db.prepare("INSERT INTO schema_version (version, applied_at) VALUES (?, ?)");
    for (const migration of MIGRATIONS) {
      if (migration.version <= version) continue;
      db.exec(migration.sql);
      record.run(migration.version, new Date().toISOString());
    }
  }).immediate();
}
