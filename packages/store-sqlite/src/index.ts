/**
 * `@switchboard/store-sqlite`: the durable default {@link Store} and {@link AuditLog}, in one SQLite file.
 * @module
 */
export { type OpenDatabaseOptions, openDatabase, type SqliteDatabase, type SynchronousMode } from "./open-database.js";
export { type OpenSqliteOptions, openSqlite, type SqliteStorage } from "./open-sqlite.js";
export { createPrivateFile, looseModes } from "./private-file.js";
export { type DatabaseIdentity, databaseIdentity, SCHEMA_VERSION } from "./schema.js";
export { SqliteAuditLog, type SqliteAuditLogOptions } from "./sqlite-audit-log.js";
export { SqliteStore, type SqliteStoreOptions } from "./sqlite-store.js";
