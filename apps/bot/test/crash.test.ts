import { existsSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { assertBuilt, exited, runCli, spawnCli, tempDir, watchOutput } from "./cli.js";

interface Entry {
  seq: number;
  event: string;
  jobId?: string;
  command?: string;
  outcome?: string;
}

describe("a shell killed with SIGKILL in the middle of a stream of commands", () => {
  const temp = tempDir();
  let pongsSeen = 0;
  let entries: Entry[] = [];
  let walAfterKill = false;

  beforeAll(async () => {
    assertBuilt();
    const child = spawnCli(["shell"], temp.dir);
    const stdout = watchOutput(child);
    // Write pings one at a time, without waiting for answers, until 40 answers have been seen; then kill.
    let written = 0;
    const writer = setInterval(() => {
      if (!child.stdin.destroyed) child.stdin.write("ping\n");
      written++;
    }, 2);
    await stdout.until((text) => (text.match(/^pong, /gm)?.length ?? 0) >= 40, 20_000);
    child.kill("SIGKILL");
    clearInterval(writer);
    child.stdin.on("error", () => {}); // the pipe breaks when the child dies
    const end = await exited(child);
    expect(end.signal).toBe("SIGKILL");
    expect(written).toBeGreaterThan(40);
    pongsSeen = stdout.text().match(/^pong, .*$/gm)?.length ?? 0;
    walAfterKill = existsSync(join(temp.dir, ".switchboard/switchboard.db-wal"));

    const exported = await runCli(["audit", "export"], { cwd: temp.dir });
    expect(exported.code).toBe(0);
    entries = exported.stdout
      .trimEnd()
      .split("\n")
      .map((line) => JSON.parse(line) as Entry);
  });
  afterAll(() => temp.remove());

  it("was really killed mid-stream (the database still has its write-ahead log)", () => {
    expect(pongsSeen).toBeGreaterThanOrEqual(40);
    expect(walAfterKill).toBe(true);
  });

  it("leaves an audit log whose chain verifies", async () => {
    const result = await runCli(["audit", "verify"], { cwd: temp.dir });
    expect(result.stdout).toMatch(/^ok: \d+ entries/);
    expect(result.code).toBe(0);
  });

  it("has admitted and outcome entries for every command whose reply was seen", () => {
    const jobs = new Map<string, string[]>();
    for (const entry of entries) {
      if (entry.command !== "ping" || !entry.jobId) continue;
      jobs.set(entry.jobId, [...(jobs.get(entry.jobId) ?? []), entry.event]);
    }
    // Lines are handled one after another, so the replies seen belong to the first jobs in the log.
    const inOrder = [...jobs.entries()];
    expect(inOrder.length).toBeGreaterThanOrEqual(pongsSeen);
    for (const [, events] of inOrder.slice(0, pongsSeen)) expect(events).toEqual(["admitted", "outcome"]);
    const outcomes = entries.filter((e) => e.event === "outcome" && e.outcome === "succeeded").length;
    expect(outcomes).toBeGreaterThanOrEqual(pongsSeen);
    // Anything after the last complete job is a prefix of the same sequence (killed between two writes).
    for (const [, events] of inOrder.slice(pongsSeen))
      expect(["admitted", "outcome"].slice(0, events.length)).toEqual(events);
  });

  it("the next session starts normally on the same database", async () => {
    const result = await runCli(["shell"], { cwd: temp.dir, input: "ping\n" });
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^pong, /m);
  });
});
