// Peak RSS against the number of messages: runs each runner at several message counts (fresh process each time)
// and prints the median peak RSS, to show whether memory stays flat as messages go by.
//   node bench/rss.mjs [--runs 5] [--messages 5000,10000,20000] [--n 1000] [--mode sequential]
//                      [--systems switchboard-sqlite,switchboard-memory,hubot]
import { execFile } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs, promisify } from "node:util";
import { median, round } from "./harness.mjs";

const run = promisify(execFile);
const here = dirname(fileURLToPath(import.meta.url));
const { values: args } = parseArgs({
  options: {
    runs: { type: "string", default: "5" },
    messages: { type: "string", default: "5000,10000,20000" },
    n: { type: "string", default: "1000" },
    mode: { type: "string", default: "sequential" },
    systems: { type: "string", default: "switchboard-sqlite,switchboard-memory,hubot" },
  },
});
const counts = args.messages.split(",").map(Number);
const systems = args.systems.split(",");
const samples = new Map();
for (let r = 1; r <= Number(args.runs); r++) {
  for (const system of systems) {
    for (const messages of counts) {
      const argv = [join(here, "runners", `${system}.mjs`), "--n", args.n, "--mode", args.mode];
      argv.push("--messages", `${messages}`);
      const { stdout } = await run(process.execPath, argv, { cwd: here, timeout: 600_000 });
      const line = stdout
        .trim()
        .split("\n")
        .findLast((l) => l.startsWith('{"system"'));
      const result = JSON.parse(line);
      const key = `${system}|${messages}`;
      samples.set(key, [...(samples.get(key) ?? []), result.peakRssMb]);
      console.error(`run ${r} ${key}: peak RSS ${result.peakRssMb} MB`);
    }
  }
}
const lines = [
  `Peak RSS (MB), median of ${args.runs}, N = ${args.n}, ${args.mode}:`,
  "",
  `| System | ${counts.map((c) => `${c.toLocaleString("en")} messages`).join(" | ")} |`,
  `| --- | ${counts.map(() => "---:").join(" | ")} |`,
  ...systems.map(
    (system) => `| ${system} | ${counts.map((c) => round(median(samples.get(`${system}|${c}`)), 1)).join(" | ")} |`,
  ),
];
process.stdout.write(`${lines.join("\n")}\n`);
