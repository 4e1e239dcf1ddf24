/**
 * The CLI with a database and a log file that others may read (an old install, a copied file): it starts, and says
 * on stderr which file it is and the chmod that fixes it. (A dangling symbolic link as the database path is covered
 * in store-sqlite's private-file.test.ts.)
 */
import { chmodSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { runCli, tempDir } from "./cli.js";

describe("files others may read", () => {
  const temp = tempDir();
  afterAll(() => temp.remove());

  it("a database and a log readable by others are used with a warning that names the fix", async () => {
    expect((await runCli(["shell"], { cwd: temp.dir, input: "ping\n" })).code).toBe(0);
    const db = join(temp.dir, ".switchboard/switchboard.db");
    const log = join(temp.dir, ".switchboard/switchboard.log");
    chmodSync(db, 0o644);
    chmodSync(log, 0o644);
    const session = await runCli(["shell"], { cwd: temp.dir, input: "ping\n" });
    expect(session.code).toBe(0);
    expect(session.stdout).toContain("pong");
    expect(session.stderr).toContain(
      `warning: the file ${db} may be read or written by others (mode 0644): chmod 600 ${db}`,
    );
    expect(session.stderr).toContain(
      `warning: the file ${log} may be read or written by others (mode 0644): chmod 600 ${log}`,
    );
  });
});
