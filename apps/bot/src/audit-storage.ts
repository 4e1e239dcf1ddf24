/**
 * Opening the audit log for the `audit` subcommands: the database from `--db`, or the configuration's store
 * (`store.postgres` when set, else `store.path`).
 * @module
 */
import { existsSync } from "node:fs";
import { resolve } from "node:path";
import type { AuditLog, Store } from "@switchboard/core";
import type { AuditCheckpoint } from "@switchboard/core/audit";
import type { StoredCheckpoints } from "@switchboard/store-postgres";
import type { DatabaseRef } from "./audit-anchor.js";
import { CliError } from "./cli-error.js";
import { loadConfigFromItsFolder } from "./config/config-folder.js";
import { type AuditSection, auditSectionSchema } from "./config/schema.js";

/** Where to find the database. */
export interface AuditSourceOptions {
  config?: string;
  db?: string;
}

/** An open audit log and how to close it. */
export interface OpenAudit {
  path: string;
  /** The database's id (its checkpoints are named after it). */
  database: DatabaseRef;
  /** The audit log (operator commands such as `audit re-anchor` append to it). */
  auditLog: AuditLog;
  /** The store in the same file (runtime role grants). */
  store: Store;
  /** The configuration's `audit:` section (defaults when `--db` was given without a configuration). */
  audit: AuditSection;
  /** The configuration's `store.synchronous` is FULL: fsync what is written beside the database too. */
  durable: boolean;
  /** PostgreSQL: the shared `audit_checkpoints` table of every instance, as read now. */
  shared?: StoredCheckpoints;
  /** PostgreSQL: stores a checkpoint in `audit_checkpoints` (operator commands sign the new head into it too). */
  writeShared?: (checkpoint: AuditCheckpoint) => Promise<void>;
  close(): void;
}

/**
 * The configuration: required without `--db`; with `--db` it still supplies the `audit:` section when it loads
 * (the one in use here), else that section's defaults apply.
 */
function configFor(options: AuditSourceOptions) {
  if (options.db === undefined || options.config !== undefined) return loadConfigFromItsFolder(options.config).config;
  try {
    return loadConfigFromItsFolder().config;
  } catch {
    return undefined;
  }
}

/** Opens an existing database (never creates one: a wrong path must not look like an empty, valid log). */
export async function openAudit(options: AuditSourceOptions): Promise<OpenAudit> {
  // --db is relative to where the command was started; the configuration's paths to its own folder.
  const db = options.db === undefined ? undefined : resolve(options.db);
  const config = configFor(options);
  const postgres = db === undefined ? config?.store.postgres : undefined;
  if (postgres) {
    const { openPostgres } = await import("@switchboard/store-postgres");
    const { describeUrl } = await import("./postgres-storage.js");
    const storage = await openPostgres({ url: postgres.url, applicationName: "switchboard audit" });
    let shared: StoredCheckpoints;
    try {
      shared = await storage.checkpoints.read();
    } catch (error) {
      await storage.close();
      throw error;
    }
    return {
      shared,
      writeShared: (checkpoint) => storage.checkpoints.write(checkpoint),
      path: describeUrl(postgres.url),
      database: storage.identity,
      auditLog: storage.auditLog,
      store: storage.store,
      audit: config?.audit ?? auditSectionSchema.parse({}),
      durable: true,
      close: () => void storage.close(),
    };
  }
  const path = db ?? resolve(config!.store.path);
  if (!existsSync(path)) throw new CliError(`no database at ${path} (has the bot run here? see --config and --db)`);
  const { openSqlite } = await import("@switchboard/store-sqlite");
  const storage = openSqlite(path, config ? { synchronous: config.store.synchronous } : {});
  return {
    path,
    database: storage.identity,
    auditLog: storage.auditLog,
    store: storage.store,
    audit: config?.audit ?? auditSectionSchema.parse({}),
    durable: config?.store.synchronous === "FULL",
    close: () => storage.close(),
  };
}
