/**
 * Files that hold what others must not read (the database, the log): created with mode 0600 in a folder with 0700,
 * also through a symbolic link whose target does not exist yet (SQLite would create that target with the umask's
 * mode, usually world-readable), and checked when they already exist: a file or folder that others may read or
 * write is reported, with the `chmod` that fixes it.
 * @module
 */
import { closeSync, lstatSync, mkdirSync, openSync, readlinkSync, statSync } from "node:fs";
import { dirname, resolve } from "node:path";

/** The real file a path names: the path itself, or where its symbolic links lead (followed up to 16 times). */
function target(path: string): string {
  let current = resolve(path);
  for (let hops = 0; hops < 16; hops++) {
    const stat = lstatSync(current, { throwIfNoEntry: false });
    if (!stat?.isSymbolicLink()) return current;
    current = resolve(dirname(current), readlinkSync(current));
  }
  throw new Error(`${path}: too many symbolic links`);
}

/**
 * Creates `path` empty with mode 0600 (and missing folders with 0700) unless it exists; when `path` is a symbolic
 * link to a file that does not exist, that file is created the same way. Returns the real file.
 */
export function createPrivateFile(path: string): string {
  const real = target(path);
  mkdirSync(dirname(real), { recursive: true, mode: 0o700 });
  try {
    closeSync(openSync(real, "wx", 0o600));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
  }
  return real;
}

/**
 * What is wrong with the modes of an existing private file and its folder: one sentence each, naming the path, the
 * mode and the fix. Empty when others can neither read nor write them.
 */
export function looseModes(path: string): string[] {
  const problems: string[] = [];
  const real = target(path);
  const check = (where: string, what: string, fix: string, bits: number) => {
    const stat = statSync(where, { throwIfNoEntry: false });
    if (!stat) return;
    const mode = stat.mode & 0o777;
    if (mode & bits)
      problems.push(
        `the ${what} ${where} may be read or written by others (mode ${mode.toString(8).padStart(4, "0")}): ${fix} ${where}`,
      );
  };
  check(real, "file", "chmod 600", 0o077);
  const folder = dirname(real);
  const stat = statSync(folder, { throwIfNoEntry: false });
  // A folder others may write to lets them replace or remove the file (a shared folder with the sticky bit, /tmp,
  // does not: there only the owner removes their files).
  if (stat && !(stat.mode & 0o1000)) check(folder, "folder", "chmod 700", 0o022);
  return problems;
}
