import { copyFileSync, readFileSync } from "node:fs";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { assertBuilt, exited, runCli, spawnCli, tempDir, watchOutput } from "./cli.js";

describe("switchboard audit", () => {
  const temp = tempDir();
  const db = () => join(temp.dir, ".switchboard/switchboard.db");
  let entries = 0;

  beforeAll(async () => {
    assertBuilt();
    const session = await runCli(["shell"], {
      cwd: temp.dir,
      input: "ping\nwhoami\n/as mallory\nrole grant mallory owner\nping\n",
    });
    expect(session.code).toBe(0);
  });
  afterAll(() => temp.remove());

  it("verify: ok after a session, with the count and the last hash", async () => {
    const result = await runCli(["audit", "verify"], { cwd: temp.dir });
    expect(result.code).toBe(0);
    const match = /^ok: (\d+) entries, last hash ([0-9a-f]{64}) \(/.exec(result.stdout);
    expect(match).not.toBeNull();
    entries = Number(match![1]);
    // ping, whoami, ping: admitted + outcome each; the denied role grant: one entry.
    expect(entries).toBe(7);
  });

  it("export: JSON lines, one entry per line, oldest first, to stdout or a file", async () => {
    const result = await runCli(["audit", "export"], { cwd: temp.dir });
    expect(result.code).toBe(0);
    const lines = result.stdout.trimEnd().split("\n");
    const parsed = lines.map(
      (line) => JSON.parse(line) as { seq: number; hash: string; prevHash: string; event: string },
    );
    expect(parsed.map((e) => e.seq)).toEqual(Array.from({ length: entries }, (_, i) => i + 1));
    for (let i = 1; i < parsed.length; i++) expect(parsed[i]!.prevHash).toBe(parsed[i - 1]!.hash);
    expect(parsed.filter((e) => e.event === "denied")).toHaveLength(1);

    const toFile = await runCli(["audit", "export", "--output", "audit.jsonl"], { cwd: temp.dir });
    expect(toFile.code).toBe(0);
    expect(toFile.stderr).toContain(`exported ${entries} entries to audit.jsonl`);
    expect(readFileSync(join(temp.dir, "audit.jsonl"), "utf8")).toBe(result.stdout);
  });

  it("tail: the last N entries, one per line (or JSON)", async () => {
    const result = await runCli(["audit", "tail", "-n", "3"], { cwd: temp.dir });
    expect(result.code).toBe(0);
    const lines = result.stdout.trimEnd().split("\n");
    expect(lines).toHaveLength(3);
    expect(lines[0]).toMatch(new RegExp(`^#${entries - 2} `));
    expect(lines[2]).toMatch(/outcome\s+shell:mallory\s+ping\s+succeeded in \d+ms$/);
    const json = await runCli(["audit", "tail", "-n", "1", "--json"], { cwd: temp.dir });
    expect(JSON.parse(json.stdout)).toMatchObject({ seq: entries, event: "outcome", outcome: "succeeded" });
  });

  it("tail --follow: prints entries as a running bot writes them; stops on SIGINT", async () => {
    const follower = spawnCli(["audit", "tail", "-n", "0", "--follow"], temp.dir);
    const seen = watchOutput(follower);
    let stderr = "";
    follower.stderr.on("data", (chunk: Buffer) => {
      stderr += chunk.toString("utf8");
    });
    // It says on stderr when it has taken its starting point.
    await new Promise<void>((resolve) => {
      const poll = () =>
        /^following .* after entry #\d+; Ctrl-C to stop$/m.test(stderr) ? resolve() : setTimeout(poll, 5);
      poll();
    });
    const session = await runCli(["shell", "--user", "zed"], { cwd: temp.dir, input: "ping\n" });
    expect(session.code).toBe(0);
    await seen.waitFor(/outcome\s+shell:zed\s+ping\s+succeeded/);
    expect(seen.text()).toMatch(/admitted\s+shell:zed\s+ping\s+"ping" in shell terminal → allowed/);
    follower.kill("SIGINT");
    expect(await exited(follower)).toEqual({ code: 0, signal: null });
  });

  it("verify: a database that does not exist is an error, not an empty log", async () => {
    const result = await runCli(["audit", "verify", "--db", "missing.db"], { cwd: temp.dir });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("no database at");
  });

  it("verify: an edited entry is found and named (exit 1)", async () => {
    copyFileSync(db(), join(temp.dir, "tampered.db"));
    const raw = new Database(join(temp.dir, "tampered.db"));
    // The store refuses UPDATE with triggers; someone with the file can drop them. Verification must still notice.
    raw.exec("DROP TRIGGER IF EXISTS audit_no_update; DROP TRIGGER IF EXISTS audit_no_delete;");
    const row = raw.prepare("SELECT body FROM audit WHERE seq = 3").get() as { body: string };
    expect(row.body).toContain('"text":"whoami"');
    const changed = raw
      .prepare("UPDATE audit SET body = ? WHERE seq = 3")
      .run(row.body.replace('"text":"whoami"', '"text":"ping"'));
    expect(changed.changes).toBe(1);
    raw.close();

    const result = await runCli(["audit", "verify", "--db", "tampered.db"], { cwd: temp.dir });
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(
      /^bad: entry #3: its content does not match its hash \(it was edited\); 2 entries before it are intact/,
    );

    // The untouched original still verifies.
    expect((await runCli(["audit", "verify"], { cwd: temp.dir })).code).toBe(0);
  });

  it("verify: a deleted entry is found and named (exit 1)", async () => {
    copyFileSync(db(), join(temp.dir, "deleted.db"));
    const raw = new Database(join(temp.dir, "deleted.db"));
    raw.exec("DROP TRIGGER IF EXISTS audit_no_delete; DELETE FROM audit WHERE seq = 4;");
    raw.close();
    const result = await runCli(["audit", "verify", "--db", "deleted.db"], { cwd: temp.dir });
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/^bad: entry #5: expected entry #4 here/);
  });
});
