/**
 * `@switchboard/store-sqlite`: the durable default {@link Store} and {@link AuditLog}, in one SQLite file.
 * @module
 */

export { openSqlite } from "./open-sqlite.js";
export { looseModes } from "./private-file.js";
