/**
 * Opening the audit log for the `audit` subcommands: the database from `--db`, or `store.path` of the configuration.
 * @module
 */
import { existsSync } from "node:fs";
import { resolve } from "node:path";
import type { AuditEntry } from "@switchboard/core";
import { CliError } from "./cli-error.js";
import { loadConfig } from "./config/load.js";

/** Where to find the database. */
export interface AuditSourceOptions {
  config?: string;
  db?: string;
}

/** An open audit log and how to close it. */
export interface OpenAudit {
  path: string;
  auditLog: {
    entries(): AsyncIterable<AuditEntry>;
    query(query: { limit?: number }): Promise<AuditEntry[]>;
  };
  close(): void;
}

/** Opens an existing database (never creates one: a wrong path must not look like an empty, valid log). */
export async function openAudit(options: AuditSourceOptions): Promise<OpenAudit> {
  const configured = options.db === undefined ? loadConfig(options.config).config.store : undefined;
  const path = resolve(options.db ?? configured!.path);
  if (!existsSync(path)) throw new CliError(`no database at ${path} (has the bot run here? see --config and --db)`);
  const { openSqlite } = await import("@switchboard/store-sqlite");
  const storage = openSqlite(path, configured ? { synchronous: configured.synchronous } : {});
  return { path, auditLog: storage.auditLog, close: () => storage.close() };
}
