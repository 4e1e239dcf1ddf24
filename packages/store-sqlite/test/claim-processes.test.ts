/**
 * Claims from separate processes on one SQLite file: each due time is won by exactly one process. Each child runs
 * the built package (`npm run bootstrap` builds it) and claims the same occurrences as fast as it can.
 */
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { openSqlite } from "../src/index.js";
import { tempDbPath } from "./helpers.js";

const built = fileURLToPath(new URL("../dist/index.js", import.meta.url));

/** A child process that claims `schedule/race` at minutes 0…count-1 for `owner` and prints how many it won. */
function claimer(path: string, owner: string, count: number): Promise<number> {
  const script = [
    `const { openSqlite } = await import(${JSON.stringify(built)});`,
    `const { store, close } = openSqlite(${JSON.stringify(path)});`,
    "let won = 0;",
    `for (let i = 0; i < ${count}; i++) if (await store.claimOccurrence("schedule/race", new Date(i * 60000), ${JSON.stringify(owner)})) won++;`,
    "close(); console.log(won);",
  ].join(" ");
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--input-type=module", "-e", script], { stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    let err = "";
    child.stdout.on("data", (d) => (out += d));
    child.stderr.on("data", (d) => (err += d));
    child.on("exit", (code) =>
      code === 0 ? resolve(Number(out.trim())) : reject(new Error(`claimer failed: ${err}`)),
    );
  });
}

describe("claims across processes", () => {
  it("gives each occurrence to exactly one of four processes claiming at once", async () => {
    expect(existsSync(built), "build @switchboard/store-sqlite first (npm run bootstrap)").toBe(true);
    const path = tempDbPath();
    openSqlite(path).close(); // the schema, once
    const count = 20_000;
    const won = await Promise.all(["p1", "p2", "p3", "p4"].map((owner) => claimer(path, owner, count)));
    expect(won.reduce((a, b) => a + b, 0)).toBe(count);
    const { db, close } = openSqlite(path);
    expect(db.prepare("SELECT at FROM claims WHERE name = 'schedule/race'").pluck().get()).toBe((count - 1) * 60_000);
    close();
  }, 60_000);
});
