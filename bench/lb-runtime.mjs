// HAProxy's runtime API through @switchboard/plugin-lb's client, on a real HAProxy (Debian's haproxy): a backend of
// `--servers` servers (each a tiny local HTTP server), then `--runs` round trips each of `show stat` (parsed into
// server records) and `set server … weight` (a change), over the unix socket and over TCP. What `lb status` and one
// instance of an `lb` change cost before chat. Run after the build:
//   node bench/lb-runtime.mjs [--runs 300] [--servers 50]   -> one JSON line, milliseconds (median and p95)
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { Haproxy, RuntimeApi } from "@switchboard/plugin-lb";
import { median } from "./harness.mjs";

const { values } = parseArgs({
  options: { runs: { type: "string", default: "300" }, servers: { type: "string", default: "50" } },
});
const runs = Number(values.runs);
const count = Number(values.servers);
const haproxyBin = spawnSync("sh", ["-c", "command -v haproxy || echo /usr/sbin/haproxy"], {
  encoding: "utf8",
}).stdout.trim();

const listen = (server) =>
  new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve(server.address().port)));
const dir = mkdtempSync(join(tmpdir(), "switchboard-lb-bench-"));
const backends = [];
const ports = [];
for (let i = 0; i < count; i++) {
  const server = createServer((_, response) => response.end("ok\n"));
  backends.push(server);
  ports.push(await listen(server));
}
const probe = createServer();
const tcpPort = await listen(probe);
await new Promise((resolve) => probe.close(resolve));
const socket = join(dir, "admin.sock");
writeFileSync(
  join(dir, "haproxy.cfg"),
  [
    "global",
    `  stats socket ${socket} mode 600 level admin`,
    `  stats socket ipv4@127.0.0.1:${tcpPort} level admin`,
    "defaults",
    "  mode http",
    "  timeout connect 2s",
    "  timeout client 30s",
    "  timeout server 30s",
    "backend web",
    "  balance roundrobin",
    ...ports.map((port, i) => `  server fe${i + 1} 127.0.0.1:${port}`),
    "",
  ].join("\n"),
);
const child = spawn(haproxyBin, ["-db", "-f", join(dir, "haproxy.cfg")], { stdio: "ignore" });
const instances = {
  unix: new Haproxy("unix", new RuntimeApi({ kind: "unix", path: socket }, 5000)),
  tcp: new Haproxy("tcp", new RuntimeApi({ kind: "tcp", host: "127.0.0.1", port: tcpPort }, 5000)),
};
for (let tries = 0; ; tries++) {
  try {
    await instances.unix.servers();
    await instances.tcp.servers();
    break;
  } catch (error) {
    if (tries > 100) throw error;
    await new Promise((r) => setTimeout(r, 50));
  }
}

const round = (x, digits) => Number(x.toFixed(digits));
const p95 = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length * 0.95)];
async function time(work) {
  const samples = [];
  for (let i = 0; i < runs; i++) {
    const started = performance.now();
    await work(i);
    samples.push(performance.now() - started);
  }
  return { median: round(median(samples), 3), p95: round(p95(samples), 3) };
}

const result = {
  haproxy: spawnSync(haproxyBin, ["-v"], { encoding: "utf8" }).stdout.split("\n")[0],
  servers: count,
  runs,
};
// Warm up both (JIT, HAProxy's buffers) before anything is timed.
for (let i = 0; i < 50; i++) for (const instance of Object.values(instances)) await instance.servers();
for (const [name, instance] of Object.entries(instances)) {
  const rows = await instance.servers();
  if (rows.length !== count) throw new Error(`expected ${count} servers, got ${rows.length}`);
  result[`showStat_${name}`] = await time(() => instance.servers());
  result[`setWeight_${name}`] = await time((i) => instance.setWeight("web", "fe1", 1 + (i % 2)));
}
console.log(JSON.stringify(result));
child.kill("SIGTERM");
for (const server of backends) server.close();
rmSync(dir, { recursive: true, force: true });
process.exit(0);
