/**
 * The running application: logger, plugins, adapters and the store (SQLite, or PostgreSQL for several instances)
 * wired into a bot, and how it shuts down.
 * @module
 */
import { resolve } from "node:path";
import { ShellAdapter } from "@switchboard/adapter-shell";
import { type Adapter, type Bot, type Logger, out } from "@switchboard/core";
import type { AuditCheckpoint, CheckpointingAuditLog } from "@switchboard/core/audit";
import type { HttpServer } from "@switchboard/http";
import { type AdapterConfig, createAdapter } from "./adapter-types.js";
import { type AuditFiles, auditFiles } from "./audit-anchor.js";
import { checkpointedAuditLog } from "./audit-checkpointing.js";
import { buildBot } from "./build-bot.js";
import type { LoadedConfig } from "./config/load.js";
import type { SwitchboardConfig } from "./config/schema.js";
import { createFileLogger, LOG_TO_STREAM, logLevel } from "./logging.js";
import { loadPlugins, type PluginImporter } from "./plugins.js";
import { openPostgresStorage, type PostgresAppStorage } from "./postgres-storage.js";

/** Options for {@link createApp}. */
export interface AppOptions {
  /** `"config"` (default): every adapter in the configuration. `"shell"`: only a shell adapter (`switchboard shell`). */
  adapters?: "config" | "shell";
  /** Who speaks in the shell at first (`switchboard shell --user`). */
  shellUser?: string;
  /** How plugin packages are imported. Default: `import("@switchboard/plugin-<name>")`. */
  importPlugin?: PluginImporter;
  /** Log here instead of `log.file`. */
  logger?: Logger;
  /** Also print the log's warnings and errors on standard error (`switchboard start` in a terminal). */
  echoProblems?: boolean;
}

/** A wired bot and what it owns. */
export interface App {
  config: SwitchboardConfig;
  bot: Bot;
  logger: Logger;
  /** Absolute path of the log file (undefined when a logger was passed in or the log goes to a stream). */
  logFile: string | undefined;
  /** Where the log goes, in words: the file's path, `standard output`, `standard error`, or `the caller's logger`. */
  logWhere: string;
  /** Reopens the log file at its path (SIGHUP, after logrotate moved it); nothing for a stream. */
  reopenLog(): void;
  /** Absolute path of the SQLite database (with `store.postgres`: the database's URL without credentials). */
  storePath: string;
  /** Absolute paths of the audit key and the checkpoint file of this database. */
  auditFiles: AuditFiles;
  /** With `store.postgres`: this instance and the connection leases it takes part in. */
  postgres?: Pick<PostgresAppStorage, "instance" | "leases">;
  adapters: Adapter[];
  /** The shell adapter, when one is in use. */
  shell: ShellAdapter | undefined;
  /** Starts the bot: plugin setup, then every adapter. */
  start(): Promise<void>;
  /**
   * Stops the bot (running jobs get `graceMs` to finish, then are cancelled), closes the database (checkpointing
   * its write-ahead log) and flushes the log. Safe to call more than once.
   */
  close(graceMs?: number): Promise<void>;
  /** The HTTP endpoint, once started (only when the configuration has an `http:` section). */
  readonly http: HttpServer | undefined;
}

/** The adapter entries to start: all of them, or the first shell entry (or a default one) for `switchboard shell`. */
function adapterEntries(config: SwitchboardConfig, which: "config" | "shell"): AdapterConfig[] {
  if (which === "config") return config.adapters;
  return [config.adapters.find((entry) => entry.type === "shell") ?? { type: "shell" }];
}

/**
 * Builds the application from a loaded configuration. Plugins are imported (and their configuration validated)
 * before any file is created, so a bad configuration leaves nothing behind. The SQLite package is imported here,
 * only by the commands that need it.
 */
export async function createApp(loaded: LoadedConfig, options: AppOptions = {}): Promise<App> {
  const { config } = loaded;
  const plugins = await loadPlugins(loaded, options.importPlugin);
  const entries = adapterEntries(config, options.adapters ?? "config");
  const fileLogger = options.logger
    ? undefined
    : createFileLogger(config.log.file, logLevel(config.log.level), {
        streamIsTerminal: entries.some((entry) => entry.type === "shell"),
        echoProblems: options.echoProblems ?? false,
      });
  const logger = options.logger ?? fileLogger!.logger;
  const postgres = config.store.postgres ? await openPostgresStorage(config, logger, entries) : undefined;
  const adapters: Adapter[] = [];
  for (const entry of entries) {
    const adapter = await createAdapter(entry, {
      logger,
      ...(options.shellUser ? { shellUser: options.shellUser } : {}),
      ...postgres?.adapterContext(entry),
    });
    adapters.push(postgres ? postgres.wrap(adapter, entry) : adapter);
  }
  const storePath = postgres ? postgres.id : resolve(config.store.path);
  // Files others may read or write (the database, the log, their folders) are used, and said so plainly.
  const warn = (message: string) => {
    logger.warn({ component: "files" }, message);
    process.stderr.write(`warning: ${message}\n`);
  };
  if (fileLogger && fileLogger.file !== LOG_TO_STREAM)
    for (const problem of await fileProblems(fileLogger.file)) warn(problem);
  const storage = postgres
    ? { store: postgres.store, auditLog: postgres.auditLog, identity: postgres.identity, close: () => undefined }
    : await openSqliteStorage(config, storePath, warn);
  let auditLog: CheckpointingAuditLog;
  try {
    // Checkpoints of the audit log's head, signed with a key outside the database (see audit: in the README).
    auditLog = checkpointedAuditLog(storage.auditLog, {
      config,
      storePath,
      database: storage.identity,
      logger,
      announce: (room, text) => bot.announce(room, out.text(text)),
      ...(postgres ? { shared: await sharedCheckpoints(postgres) } : {}),
    });
  } catch (error) {
    storage.close();
    await postgres?.close();
    throw error;
  }
  let bot: Bot;
  try {
    bot = buildBot(config, {
      store: storage.store,
      auditLog,
      logger,
      adapters,
      plugins,
      ...(postgres ? { commands: [postgres.statusCommand()] } : {}),
    });
  } catch (error) {
    await auditLog.close();
    storage.close();
    await postgres?.close();
    throw error;
  }
  let closing: Promise<void> | undefined;
  let http: HttpServer | undefined;
  return {
    config,
    bot,
    logger,
    logFile: fileLogger && fileLogger.file !== LOG_TO_STREAM ? fileLogger.file : undefined,
    logWhere: fileLogger?.where ?? "the caller's logger",
    reopenLog() {
      fileLogger?.reopen();
      logger.info({ file: fileLogger?.where }, "log reopened");
    },
    storePath,
    ...(postgres ? { postgres } : {}),
    auditFiles: auditFiles(config.audit, storePath, false, storage.identity),
    adapters,
    shell: adapters.find((a): a is ShellAdapter => a instanceof ShellAdapter),
    async start() {
      await postgres?.start(bot);
      await bot.start();
      await auditLog.checkpoint();
      // `switchboard shell` is a private terminal session: no HTTP endpoint there.
      if (config.http && !http && options.adapters !== "shell") {
        const { startHttpServer } = await import("@switchboard/http");
        http = await startHttpServer({ bot, config: config.http, logger });
      }
    },
    get http() {
      return http;
    },
    close(graceMs = 5000) {
      closing ??= (async () => {
        try {
          await http?.close();
          await bot.stop(graceMs);
        } finally {
          await auditLog.close(); // signs the final head
          storage.close();
          await postgres?.close();
          logger.info({ store: storePath }, "stopped");
          fileLogger?.flush();
        }
      })();
      return closing;
    },
  };
}

/** The shared checkpoint table as it is now, and how this instance writes to it. */
async function sharedCheckpoints(postgres: PostgresAppStorage) {
  const table = postgres.checkpoints;
  return { stored: await table.read(), write: (checkpoint: AuditCheckpoint) => table.write(checkpoint) };
}

/** The SQLite file of `store.path` (the package is imported only when it is used). */
async function openSqliteStorage(config: SwitchboardConfig, storePath: string, warn: (message: string) => void) {
  const { openSqlite } = await import("@switchboard/store-sqlite");
  return openSqlite(storePath, { synchronous: config.store.synchronous, onWarning: warn });
}

/** Loose modes of the log file and its folder (the check lives with the SQLite store's file handling). */
async function fileProblems(file: string): Promise<string[]> {
  const { looseModes } = await import("@switchboard/store-sqlite");
  return looseModes(file);
}
