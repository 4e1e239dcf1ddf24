import { chmodSync, copyFileSync, cpSync, existsSync, mkdirSync, readdirSync, writeFileSync } from "node:fs";
import { basename, join, resolve } from "node:path";
import { keyIdOf, verifyChain } from "@switchboard/core/audit";
import { auditFiles, loadPublicKey } from "../audit-anchor.js";
import { rotationsFile } from "../audit-keyring.js";
import { reanchorFile } from "../audit-reanchor.js";
import { CliError } from "../cli-error.js";
import { loadConfigFromItsFolder } from "../config/config-folder.js";

/** Options of `switchboard backup`. */
export interface BackupOptions {
  config?: string;
}

/** What `manifest.json` in a backup folder says. */
export interface BackupManifest {
  /** ISO time the database copy was taken. */
  time: string;
  /** The database the copy was taken from, its copy's file name and its audit head: what `re-anchor` accepts. */
  database: { source: string; file: string; entries: number; head: string | null };
  /** The other files copied: source path → name in the backup folder. */
  files: Record<string, string>;
  /** The audit key's id (the private key is never copied). */
  keyId: string | null;
  /** What to run after restoring. */
  restore: string;
}

/** The Matrix adapters' data folders (session, device keys): their default is `./.switchboard/matrix-<network>`. */
function matrixDataDirs(adapters: ReadonlyArray<{ type: string; name?: string; dataDir?: string }>): string[] {
  return adapters
    .filter((a) => a.type === "matrix")
    .map((a) => resolve(a.dataDir ?? `./.switchboard/matrix-${a.name ?? "matrix"}`));
}

/**
 * `switchboard backup <dir>`: an online, consistent copy of the database (SQLite `VACUUM INTO`, one read
 * transaction, while the bot keeps writing), the audit public key, the checkpoint, re-anchor and rotation files,
 * each Matrix adapter's data folder and the configuration file, with `manifest.json` naming the copy's audit head.
 * The private audit key is never copied (keep it apart). Refuses a folder that is not empty.
 */
export async function backupCommand(dir: string, options: BackupOptions): Promise<number> {
  const target = resolve(dir); // relative to where the command was started, not the configuration's folder
  const loaded = loadConfigFromItsFolder(options.config);
  const { config } = loaded;
  const storePath = resolve(config.store.path);
  if (!existsSync(storePath))
    throw new CliError(`no database at ${storePath} (has the bot run with this configuration?)`);
  if (existsSync(target) && readdirSync(target).length > 0)
    throw new CliError(`${target} is not empty: back up into a new folder (e.g. one named by the date)`);
  mkdirSync(target, { recursive: true, mode: 0o700 });
  chmodSync(target, 0o700);

  const dbName = basename(storePath);
  const { openSqlite } = await import("@switchboard/store-sqlite");
  const source = openSqlite(storePath);
  // The database's id names its checkpoint file (a copy keeps the id: it is the same database).
  const database = source.identity;
  try {
    source.db.prepare("VACUUM INTO ?").run(join(target, dbName));
  } finally {
    source.close();
  }
  chmodSync(join(target, dbName), 0o600);
  const time = new Date().toISOString();

  // The copy's own head: what the log held at the instant of the copy.
  const copy = openSqlite(join(target, dbName));
  let entries = 0;
  let head: string | null = null;
  try {
    const chain = await verifyChain(copy.auditLog.entries());
    if (!chain.ok)
      throw new CliError(
        `the copy's audit chain is broken at entry #${chain.firstBad.seq} (${chain.firstBad.reason}): the database itself is damaged; run ./switchboard audit verify`,
      );
    entries = chain.checked;
    head = entries > 0 ? `${entries}:${chain.lastHash}` : null;
  } finally {
    copy.close();
  }

  const files: Record<string, string> = {};
  const anchor = auditFiles(config.audit, storePath, false, database);
  const publicKey = loadPublicKey(anchor);
  if (publicKey) {
    writeFileSync(join(target, "audit-key.pub"), publicKey.export({ type: "spki", format: "pem" }).toString());
    files[anchor.publicKeyFile] = "audit-key.pub";
  }
  const copyFile = (from: string, name: string) => {
    if (!existsSync(from)) return;
    copyFileSync(from, join(target, name));
    chmodSync(join(target, name), 0o600);
    files[from] = name;
  };
  copyFile(anchor.checkpointFile, "checkpoints.jsonl");
  copyFile(reanchorFile(anchor), "reanchors.jsonl");
  copyFile(rotationsFile(anchor), "audit-key.rotations.jsonl");
  if (loaded.file) copyFile(loaded.file, basename(loaded.file));
  for (const [index, folder] of matrixDataDirs(config.adapters).entries()) {
    if (!existsSync(folder)) continue;
    const name = `matrix-${index}-${basename(folder)}`;
    cpSync(folder, join(target, name), { recursive: true });
    files[folder] = name;
  }

  const manifest: BackupManifest = {
    time,
    database: { source: storePath, file: dbName, entries, head },
    files,
    keyId: publicKey ? keyIdOf(publicKey) : null,
    restore: head
      ? `stop the bot, copy ${dbName} back to ${storePath}, then: ./switchboard audit re-anchor --accept-head ${head}`
      : `stop the bot and copy ${dbName} back to ${storePath}`,
  };
  writeFileSync(join(target, "manifest.json"), `${JSON.stringify(manifest, null, 2)}\n`, { mode: 0o600 });
  const lines = [
    `backup: ${target}`,
    `  database   ${dbName}: ${entries} audit entries${head ? `, head ${head}` : ""} (copied online with VACUUM INTO)`,
    ...Object.entries(files).map(([from, name]) => `  ${name.padEnd(10)} from ${from}`),
    `  manifest   manifest.json`,
    "  not copied the private audit key: keep a copy of it apart from the backups (docs/operations.md)",
    `restore: ${manifest.restore}`,
  ];
  process.stdout.write(`${lines.join("\n")}\n`);
  return 0;
}
