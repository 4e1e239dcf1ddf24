// Summarises a `node --cpu-prof` profile: self time by function (innermost frame) and by file, largest first.
//   node --cpu-prof --cpu-prof-dir=/tmp/prof runners/switchboard-memory.mjs --n 1000 --mode sequential
//   node bench/profile-summary.mjs /tmp/prof/CPU.*.cpuprofile [--top 30]
import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { top: { type: "string", default: "30" } },
});
const top = Number(values.top);
for (const file of positionals) {
  const profile = JSON.parse(readFileSync(file, "utf8"));
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map();
  const deltas = profile.timeDeltas;
  let total = 0;
  for (let i = 0; i < profile.samples.length; i++) {
    const node = byId.get(profile.samples[i]);
    const us = deltas[i + 1] ?? 0;
    total += us;
    self.set(node, (self.get(node) ?? 0) + us);
  }
  const where = (n) => {
    const url = n.callFrame.url.replace(/^file:\/\//, "").replace(/.*\/(packages|node_modules|bench)\//, "$1/");
    return url || "(native)";
  };
  const fn = new Map();
  const files = new Map();
  for (const [n, us] of self) {
    const name = `${n.callFrame.functionName || "(anonymous)"}  ${where(n)}:${n.callFrame.lineNumber + 1}`;
    fn.set(name, (fn.get(name) ?? 0) + us);
    files.set(where(n), (files.get(where(n)) ?? 0) + us);
  }
  const pct = (us) => `${((100 * us) / total).toFixed(1).padStart(5)}%`;
  console.log(`${file}: ${(total / 1e6).toFixed(2)} s sampled`);
  console.log("\nby file:");
  for (const [k, us] of [...files].sort((a, b) => b[1] - a[1]).slice(0, top)) console.log(`${pct(us)}  ${k}`);
  console.log("\nby function:");
  for (const [k, us] of [...fn].sort((a, b) => b[1] - a[1]).slice(0, top)) console.log(`${pct(us)}  ${k}`);
}
