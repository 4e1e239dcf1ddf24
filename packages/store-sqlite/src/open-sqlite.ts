import { type OpenDatabaseOptions, openDatabase, type SqliteDatabase } from "./open-database.js";
import { SqliteAuditLog } from "./sqlite-audit-log.js";
import { SqliteStore } from "./sqlite-store.js";

/** Options for {@link openSqlite}: those of {@link openDatabase}. */
export type OpenSqliteOptions = OpenDatabaseOptions;

/** A store and an audit log sharing one database file. */
export interface SqliteStorage {
  /** The connection both use (for backups, inspection). */
  db: SqliteDatabase;
  store: SqliteStore;
  auditLog: SqliteAuditLog;
  /** Closes the database. Idempotent. `store.close()` and `auditLog.close()` leave it open. */
  close(): void;
}

/**
 * Opens one SQLite file (for example `./.switchboard/switchboard.db`) as both the {@link SqliteStore} and the
 * {@link SqliteAuditLog}, on one connection.
 *
 * @example
 * ```ts
 * const { store, auditLog, close } = openSqlite("./.switchboard/switchboard.db");
 * await auditLog.append([{ event: "admitted", actor: "alice", command: "deploy" }]);
 * close();
 * ```
 */
export function openSqlite(path: string, options: OpenSqliteOptions = {}): SqliteStorage {
  const db = openDatabase(path, options);
  return {
    db,
    store: new SqliteStore(db),
    auditLog: new SqliteAuditLog(db),
    close() {
      if (db.open) db.close();
    },
  };
}
