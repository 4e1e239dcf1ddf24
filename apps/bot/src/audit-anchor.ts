/**
 * The files that anchor the audit log outside the database: the Ed25519 key that signs checkpoints, and the
 * append-only checkpoint file beside it. Where they are, creating the key on first start (0600, directory 0700),
 * reading and appending checkpoints.
 * @module
 */
import { hash } from "node:crypto";
import {
  closeSync,
  existsSync,
  fsyncSync,
  linkSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  renameSync,
  statSync,
  unlinkSync,
  writeFileSync,
  writeSync,
} from "node:fs";
import { homedir } from "node:os";
import { dirname, isAbsolute, join, relative, resolve } from "node:path";
import {
  type AuditCheckpoint,
  type CheckpointFile,
  type CheckpointSigner,
  checkpointPublicKey,
  checkpointSigner,
  formatCheckpointLine,
  generateCheckpointKey,
  readCheckpoints,
} from "@switchboard/core/audit";
import { CliError } from "./cli-error.js";
import type { AuditSection } from "./config/schema.js";

/** Where the key and the checkpoints of one database are. */
export interface AuditFiles {
  keyFile: string;
  /** The public key, written beside the private one (`<keyFile>.pub`). */
  publicKeyFile: string;
  checkpointFile: string;
}

/** `~/x` → the home directory; relative paths → from the working directory. */
function expandPath(path: string): string {
  if (path === "~" || path.startsWith("~/")) return join(homedir(), path.slice(1));
  return resolve(path);
}

/** `$XDG_CONFIG_HOME/switchboard/audit-key`, else `~/.config/switchboard/audit-key`. */
export function defaultKeyFile(env: NodeJS.ProcessEnv = process.env): string {
  const base =
    env.XDG_CONFIG_HOME && isAbsolute(env.XDG_CONFIG_HOME) ? env.XDG_CONFIG_HOME : join(homedir(), ".config");
  return join(base, "switchboard", "audit-key");
}

/** The database a checkpoint file belongs to: its id (made with it), and whether it predates ids. */
export interface DatabaseRef {
  id: string;
  createdAt: string;
  /** The id was added to a database that already had entries: its old checkpoint file is named by path alone. */
  adopted: boolean;
}

/** `<database path as a file name>-<8 hex of its sha256>`: what names the checkpoint files of a path. */
function pathStem(storePath: string): string {
  const slug = storePath.replace(/[^A-Za-z0-9._-]+/g, "_").replace(/^_+/, "");
  return `${slug.length > 120 ? slug.slice(-120) : slug}-${hash("sha256", storePath).slice(0, 8)}`;
}

/**
 * One checkpoint file per database: `checkpoints/<path stem>-db<id>.jsonl`, so a database created again at the
 * same path has its own. Without an id (`audit verify --db` of a file made before ids): `<path stem>.jsonl`.
 */
function checkpointFileName(storePath: string, database?: DatabaseRef): string {
  return `${pathStem(storePath)}${database ? `-db${database.id}` : ""}.jsonl`;
}

/** A checkpoint file of another database that was at this path. */
export interface FormerCheckpoints {
  file: string;
  /** Its database's id; undefined for a file from before ids (named by path alone). */
  id: string | undefined;
}

/**
 * Checkpoint files beside `files.checkpointFile` made for the same path but another database (deleted, or replaced
 * by the one there now). Only with the default file names (an explicit `audit.checkpointFile` is one database's).
 */
export function formerCheckpointFiles(
  section: AuditSection,
  files: AuditFiles,
  storePath: string,
  database: DatabaseRef,
): FormerCheckpoints[] {
  if (section.checkpointFile) return [];
  const folder = dirname(files.checkpointFile);
  const stem = pathStem(storePath);
  let names: string[];
  try {
    names = readdirSync(folder);
  } catch {
    return [];
  }
  const former: FormerCheckpoints[] = [];
  for (const name of names.sort()) {
    const file = join(folder, name);
    if (file === files.checkpointFile) continue;
    if (name === `${stem}.jsonl`) former.push({ file, id: undefined });
    const prefix = `${stem}-db`;
    const id = name.startsWith(prefix) && name.endsWith(".jsonl") ? name.slice(prefix.length, -6) : undefined;
    if (id && /^[0-9a-f]{32}$/.test(id) && id !== database.id) former.push({ file, id });
  }
  return former;
}

/**
 * A database that had audit entries before it had an id keeps the checkpoints made for its path: the file named by
 * path alone becomes its own (renamed), once.
 */
export function adoptPathCheckpoints(
  section: AuditSection,
  files: AuditFiles,
  storePath: string,
  database: DatabaseRef,
) {
  if (section.checkpointFile || !database.adopted || existsSync(files.checkpointFile)) return;
  const legacy = join(dirname(files.checkpointFile), checkpointFileName(storePath));
  if (existsSync(legacy)) renameSync(legacy, files.checkpointFile);
}

/** True when `path` is `folder` or inside it. */
function isInside(path: string, folder: string): boolean {
  const rel = relative(folder, path);
  return rel === "" || (!rel.startsWith("..") && !isAbsolute(rel));
}

/**
 * The anchor files for the database at `storePath` (absolute), named after its id (`database`). With `refuseInDataFolder` (when the bot starts),
 * refuses a key or checkpoint file inside the database's own folder (`./.switchboard/`): whoever can rewrite the
 * database must not reach them by the same path. A database directly in the working or home directory has no
 * folder of its own, so that check does not apply to it.
 */
export function auditFiles(
  section: AuditSection,
  storePath: string,
  refuseInDataFolder = false,
  database?: DatabaseRef,
): AuditFiles {
  const keyFile = section.keyFile ? expandPath(section.keyFile) : defaultKeyFile();
  const checkpointFile = section.checkpointFile
    ? expandPath(section.checkpointFile)
    : join(dirname(keyFile), "checkpoints", checkpointFileName(storePath, database));
  const dataFolder = dirname(storePath);
  const ownFolder = ![homedir(), process.cwd(), "/"].map((folder) => resolve(folder)).includes(dataFolder);
  for (const [key, path] of [
    ["audit.keyFile", keyFile],
    ["audit.checkpointFile", checkpointFile],
  ] as const) {
    if (refuseInDataFolder && ownFolder && isInside(path, dataFolder))
      throw new CliError(
        `${key} (${path}) is inside the database's folder ${dataFolder}: put it elsewhere (default ${defaultKeyFile()}), so that whoever can rewrite the database cannot rewrite it too`,
      );
  }
  return { keyFile, publicKeyFile: `${keyFile}.pub`, checkpointFile };
}

/** Creates `path` with `content` and `mode` unless it exists (atomically: a concurrent creator wins cleanly). */
function createExclusive(path: string, content: string, mode: number): boolean {
  const temp = `${path}.${process.pid}.${Date.now()}.tmp`;
  writeFileSync(temp, content, { mode, flag: "wx" });
  try {
    linkSync(temp, path);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "EEXIST") return false;
    throw error;
  } finally {
    unlinkSync(temp);
  }
}

/** The signer, and whether the key was created just now. */
export interface AuditKey {
  signer: CheckpointSigner;
  created: boolean;
}

/**
 * Loads the signing key, creating it on first use: the folder with mode 0700 (when it is created), the private
 * key with 0600, the public key beside it. Refuses a key file that others may read or write.
 */
export function loadOrCreateKey(files: AuditFiles): AuditKey {
  let created = false;
  if (!existsSync(files.keyFile)) {
    mkdirSync(dirname(files.keyFile), { recursive: true, mode: 0o700 });
    const { privateKeyPem, publicKeyPem } = generateCheckpointKey();
    created = createExclusive(files.keyFile, privateKeyPem, 0o600);
    if (created && !existsSync(files.publicKeyFile)) createExclusive(files.publicKeyFile, publicKeyPem, 0o644);
  }
  const mode = statSync(files.keyFile).mode & 0o777;
  if (mode & 0o077)
    throw new CliError(
      `the audit key ${files.keyFile} may be read or written by others (mode ${mode.toString(8).padStart(4, "0")}): chmod 600 it`,
    );
  try {
    return { signer: checkpointSigner(readFileSync(files.keyFile, "utf8")), created };
  } catch (error) {
    throw new CliError(`${files.keyFile} is not a usable audit key: ${(error as Error).message}`);
  }
}

/** The public key to verify with: from the private key when readable, else from `<keyFile>.pub`; undefined if neither exists. */
export function loadPublicKey(files: AuditFiles): ReturnType<typeof checkpointPublicKey> | undefined {
  for (const path of [files.keyFile, files.publicKeyFile]) {
    let text: string;
    try {
      text = readFileSync(path, "utf8");
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === "ENOENT" || code === "EACCES") continue;
      throw error;
    }
    try {
      return checkpointPublicKey(text);
    } catch (error) {
      throw new CliError(`${path} is not a usable audit key: ${(error as Error).message}`);
    }
  }
  return undefined;
}

/** The checkpoint file's valid checkpoints and bad lines; undefined when the file does not exist. */
export function readCheckpointFile(
  path: string,
  publicKey: Parameters<typeof readCheckpoints>[1],
): CheckpointFile | undefined {
  if (!existsSync(path)) return undefined;
  return readCheckpoints(readFileSync(path, "utf8"), publicKey);
}

/**
 * A writer that appends one line per checkpoint (O_APPEND, mode 0600, folder 0700 when created); `durable` also
 * fsyncs each line (use it when the database is `synchronous: FULL`).
 */
export function checkpointWriter(
  path: string,
  { durable }: { durable: boolean },
): (checkpoint: AuditCheckpoint) => void {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  return (checkpoint) => {
    const fd = openSync(path, "a", 0o600);
    try {
      writeSync(fd, formatCheckpointLine(checkpoint));
      if (durable) fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  };
}
