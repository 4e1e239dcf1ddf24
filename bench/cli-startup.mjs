// Start-up of the switchboard CLI: spawn `switchboard shell` (default config, SQLite in a temp folder) with "ping"
// on stdin; time from spawn to the first "pong" on stdout, and the process's peak RSS (GNU time's %M).
//   node bench/cli-startup.mjs [--runs 10]   -> one JSON line with the medians
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { median, round } from "./harness.mjs";

const cli = new URL("../apps/bot/dist/cli.js", import.meta.url).pathname;
if (!existsSync(cli)) throw new Error(`${cli} is missing: run npm run bootstrap first`);
if (!existsSync("/usr/bin/time")) throw new Error("GNU time is needed for the RSS figure: apt-get install time");
const { values } = parseArgs({ options: { runs: { type: "string", default: "10" } } });

function once() {
  const dir = mkdtempSync(join(tmpdir(), "switchboard-startup-"));
  const rssFile = join(dir, "rss");
  return new Promise((resolve, reject) => {
    const started = performance.now();
    let readyMs;
    const child = spawn("/usr/bin/time", ["-f", "%M", "-o", rssFile, process.execPath, cli, "shell"], { cwd: dir });
    child.stdout.on("data", (chunk) => {
      if (readyMs === undefined && chunk.toString().includes("pong")) readyMs = performance.now() - started;
    });
    child.on("error", reject);
    child.on("exit", (code) => {
      const rssMb = Number(readFileSync(rssFile, "utf8").trim().split("\n").at(-1)) / 1024;
      rmSync(dir, { recursive: true, force: true });
      if (code !== 0 || readyMs === undefined) reject(new Error(`switchboard shell exited ${code} without "pong"`));
      else resolve({ readyMs, rssMb });
    });
    child.stdin.end("ping\n");
  });
}

const samples = [];
for (let i = 0; i < Number(values.runs); i++) samples.push(await once());
console.log(
  JSON.stringify({
    system: "switchboard-cli",
    runs: samples.length,
    readyMs: round(median(samples.map((s) => s.readyMs)), 1),
    peakRssMb: round(median(samples.map((s) => s.rssMb)), 1),
  }),
);
