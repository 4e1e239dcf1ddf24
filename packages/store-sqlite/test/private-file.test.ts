/**
 * The database file is never left readable by others: through a dangling symbolic link its target is created with
 * mode 0600 (SQLite alone would create it with the umask's mode), and an existing file or folder with loose modes is
 * reported with the fix. Real files, real SQLite.
 */
import { chmodSync, mkdirSync, mkdtempSync, rmSync, statSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { openSqlite } from "../src/index.js";

const temp = mkdtempSync(join(tmpdir(), "sb-private-file-"));
afterAll(() => rmSync(temp, { recursive: true, force: true }));
const modeOf = (path: string) => statSync(path).mode & 0o777;

describe("private database files", () => {
  it("a dangling symbolic link as the database path: its target is created with mode 0600", () => {
    const dir = join(temp, "link");
    mkdirSync(join(dir, "data"), { recursive: true, mode: 0o700 });
    const link = join(dir, "switchboard.db");
    symlinkSync(join(dir, "data", "real.db"), link);
    const storage = openSqlite(link);
    storage.close();
    expect(modeOf(join(dir, "data", "real.db"))).toBe(0o600);
  });

  it("an existing database readable by others, in a folder others may write to, is reported with the fix", () => {
    const dir = join(temp, "loose");
    mkdirSync(dir, { mode: 0o700 });
    const path = join(dir, "switchboard.db");
    openSqlite(path).close();
    chmodSync(path, 0o644);
    chmodSync(dir, 0o777);
    const warnings: string[] = [];
    openSqlite(path, { onWarning: (message) => warnings.push(message) }).close();
    expect(warnings).toEqual([
      `the file ${path} may be read or written by others (mode 0644): chmod 600 ${path}`,
      `the folder ${dir} may be read or written by others (mode 0777): chmod 700 ${dir}`,
    ]);
    chmodSync(path, 0o600);
    chmodSync(dir, 0o700);
    const none: string[] = [];
    openSqlite(path, { onWarning: (message) => none.push(message) }).close();
    expect(none).toEqual([]);
  });
});
