import Database from "better-sqlite3";
import { createPrivateFile, looseModes } from "./private-file.js";
import { migrate } from "./schema.js";

/**
 * How hard SQLite works to make a commit durable (`PRAGMA synchronous`, in WAL mode).
 *
 * - `"NORMAL"`: a commit is written to the write-ahead log before the call returns, but the log is only fsync'ed at
 *   checkpoints. Committed data survives a crash of the process (including `SIGKILL` and an out-of-memory kill),
 *   because the operating system still holds the written pages. A power loss or kernel crash can lose the last
 *   commits (never corrupt the file). Fast: no fsync per commit.
 * - `"FULL"`: every commit also fsyncs the log, so it survives a power loss too. Each commit costs one fsync,
 *   which is much slower (see the package README for measurements).
 */
export type SynchronousMode = "NORMAL" | "FULL";

/** Options for {@link openDatabase}. */
export interface OpenDatabaseOptions {
  /** Commit durability; see {@link SynchronousMode}. Default `"NORMAL"`. */
  synchronous?: SynchronousMode;
  /**
   * How long a write waits for another connection (or process) holding the write lock, in milliseconds, before it
   * fails with `SQLITE_BUSY`. The wait blocks the event loop (better-sqlite3 is synchronous). Default `5000`.
   */
  busyTimeoutMs?: number;
  /**
   * After a commit leaves more than this many pages (4 KiB each) in the write-ahead log, the committing connection
   * copies them into the database file (a checkpoint, with two fsyncs) before the call returns. Larger values mean
   * fewer, longer checkpoints: higher throughput, a bigger `-wal` file (up to about 4 KiB × this), and a longer
   * occasional pause. `0` disables automatic checkpoints (not recommended: the log then grows without bound).
   * Default `10000` (about 40 MiB); SQLite's own default is 1000.
   */
  walAutocheckpointPages?: number;
  /**
   * The connection's page cache, in KiB. Default `2048` (SQLite's own default; better-sqlite3 builds SQLite with
   * 16 MiB). The bot mostly appends, which touches the last pages of a few tables; a larger cache mostly holds pages
   * it will not read again and adds to the process's memory (measured: peak RSS 107 → 93 MB under the 20,000-message
   * benchmark, see bench/README.md).
   */
  cacheSizeKiB?: number;
  /**
   * Told, in a sentence with the fix, when an existing database file or its folder may be read or written by others.
   * Default: nothing is said.
   */
  onWarning?: (message: string) => void;
}

/** The better-sqlite3 connection type returned by {@link openDatabase}. */
export type SqliteDatabase = Database.Database;

/** `:memory:` and `""` (a private temporary database) are not files. */
function isFilePath(path: string): boolean {
  return path !== ":memory:" && path !== "" && !path.startsWith("file:");
}

/**
 * Opens (creating it if needed) a Switchboard SQLite database: creates missing parent directories, creates a new
 * file with mode 0600 (also the target of a symbolic link that does not exist yet), reports loose modes of an
 * existing file or folder to `onWarning` (SQLite gives its `-wal` and `-shm` files the same mode), switches to WAL mode, sets
 * `synchronous`, the busy timeout, the checkpoint interval and the page cache size, and brings the schema up to date. Several processes may open the same file.
 *
 * @param path - Path of the database file (`":memory:"` for a private in-memory database).
 * @throws When the file's schema is newer than this version of the package understands.
 */
export function openDatabase(path: string, options: OpenDatabaseOptions = {}): SqliteDatabase {
  const synchronous = options.synchronous ?? "NORMAL";
  if (synchronous !== "NORMAL" && synchronous !== "FULL")
    throw new RangeError(`synchronous must be "NORMAL" or "FULL", not ${JSON.stringify(synchronous)}`);
  const busyTimeoutMs = options.busyTimeoutMs ?? 5000;
  if (!Number.isInteger(busyTimeoutMs) || busyTimeoutMs < 0)
    throw new RangeError(`busyTimeoutMs must be a non-negative integer, not ${busyTimeoutMs}`);

  const walAutocheckpointPages = options.walAutocheckpointPages ?? 10_000;
  if (!Number.isInteger(walAutocheckpointPages) || walAutocheckpointPages < 0)
    throw new RangeError(`walAutocheckpointPages must be a non-negative integer, not ${walAutocheckpointPages}`);

  const cacheSizeKiB = options.cacheSizeKiB ?? 2048;
  if (!Number.isInteger(cacheSizeKiB) || cacheSizeKiB < 0)
    throw new RangeError(`cacheSizeKiB must be a non-negative integer, not ${cacheSizeKiB}`);

  if (isFilePath(path)) {
    for (const problem of looseModes(path)) options.onWarning?.(problem);
    createPrivateFile(path);
  }
  const db = new Database(path, { timeout: busyTimeoutMs });
  try {
    db.pragma("journal_mode = WAL");
    db.pragma(`synchronous = ${synchronous}`);
    db.pragma(`wal_autocheckpoint = ${walAutocheckpointPages}`);
    db.pragma(`cache_size = -${cacheSizeKiB}`);
    db.pragma("foreign_keys = ON");
    migrate(db);
  } catch (error) {
    db.close();
    throw error;
  }
  return db;
}
