/**
 * Opening the audit log for the `audit` subcommands: the database from `--db`, or the configuration's store
 * (`store.postgres` when set, else `store.path`).
 * @module
 */
import { existsSync } from "node:fs";
import { resolve } from "node:path";
import type { AuditEntry, Store } from "@switchboard/core";
import type { DatabaseRef } from "./audit-anchor.js";
import { CliError } from "./cli-error.js";
import { loadConfig } from "./config/load.js";
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
  auditLog: {
    entries(): AsyncIterable<AuditEntry>;
    query(query: { limit?: number }): Promise<AuditEntry[]>;
  };
  /** The store in the same file (runtime role grants). */
  store: Store;
  /** The configuration's `audit:` section (defaults when `--db` was given without a configuration). */
  audit: AuditSection;
  close(): void;
}

/**
 * The configuration: required without `--db`; with `--db` it still supplies the `audit:` section when it loads
 * (the one in use here), else that section's defaults apply.
 */
function configFor(options: AuditSourceOptions) {
  if (options.db === undefined || options.config !== undefined) return loadConfig(options.config).config;
  try {
    return loadConfig().config;
  } catch {
    return undefined;
  }
}

/** Opens an existing database (never creates one: a wrong path must not look like an empty, valid log). */
export async function openAudit(options: AuditSourceOptions): Promise<OpenAudit> {
  const config = configFor(options);
  const postgres = options.db === undefined ? config?.store.postgres : undefined;
  if (postgres) {
    const { openPostgres } = await import("@switchboard/store-postgres");
    const { describeUrl } = await import("./postgres-storage.js");
    const storage = await openPostgres({ url: postgres.url, applicationName: "switchboard audit" });
    return {
      path: describeUrl(postgres.url),
      database: storage.identity,
      auditLog: storage.auditLog,
      store: storage.store,
      audit: config?.audit ?? auditSectionSchema.parse({}),
      close: () => void storage.close(),
    };
  }
  const path = resolve(options.db ?? config!.store.path);
  if (!existsSync(path)) throw new CliError(`no database at ${path} (has the bot run here? see --config and --db)`);
  const { openSqlite } = await import("@switchboard/store-sqlite");
  const storage = openSqlite(path, config ? { synchronous: config.store.synchronous } : {});
  return {
    path,
    database: storage.identity,
    auditLog: storage.auditLog,
    store: storage.store,
    audit: config?.audit ?? auditSectionSchema.parse({}),
    close: () => storage.close(),
  };
}
