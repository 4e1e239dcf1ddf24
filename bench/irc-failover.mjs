// IRC failover with two instances (examples/ha-irc.yaml, two `switchboard start` processes on one PostgreSQL
// database): from stopping the idle leader (kill -9, or SIGTERM) to the first `!ping` answered again in #ops, measured
// by an IRC client that says `!ping` every 100 ms once the old process has exited. Needs a running IRC server without flood limits for the client and
// a PostgreSQL superuser URL (a database per trial is created):
//   BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres BENCH_IRC_PORT=6667 \
//     node bench/irc-failover.mjs [--trials 5] [--signals SIGKILL,SIGTERM]
// Prints the median and the range per signal, and writes results/irc-failover.json. Needs `npm run build`.
import { spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { fileURLToPath } from "node:url";
import IRC from "irc-framework";
import pg from "pg";

const args = Object.fromEntries(
  process.argv.slice(2).flatMap((a, i, all) => (a.startsWith("--") ? [[a.slice(2), all[i + 1]]] : [])),
);
const trials = Number(args.trials ?? 5);
const signals = (args.signals ?? "SIGKILL,SIGTERM").split(",");
const adminUrl = process.env.BENCH_DATABASE_URL;
const ircPort = Number(process.env.BENCH_IRC_PORT);
if (!adminUrl || !ircPort) throw new Error("set BENCH_DATABASE_URL and BENCH_IRC_PORT (see the header of this file)");
const root = fileURLToPath(new URL("..", import.meta.url));
const cli = join(root, "apps/bot/dist/cli.js");
const config = join(root, "examples/ha-irc.yaml");
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

const admin = new pg.Client({ connectionString: adminUrl });
await admin.connect();

/** An IRC user in #ops that pings the bot and records when a pong arrives. */
async function watcher() {
  const client = new IRC.Client();
  const pongs = [];
  client.on("message", (e) => {
    if (e.nick.startsWith("switchboard") && /pong/.test(e.message)) pongs.push(performance.now());
  });
  await new Promise((resolve) => {
    client.once("registered", resolve);
    client.connect({ host: "127.0.0.1", port: ircPort, nick: `w${process.pid % 10000}`, auto_reconnect: false });
  });
  client.join("#ops");
  await sleep(300);
  return { client, pongs };
}

function start(url, dir) {
  return spawn(process.execPath, [cli, "start", "--config", config], {
    cwd: dir,
    env: { ...process.env, DATABASE_URL: url, IRC_PORT: String(ircPort), XDG_CONFIG_HOME: join(dir, ".config") },
    stdio: "ignore",
  });
}

const results = {};
for (const signal of signals) {
  results[signal] = [];
  for (let trial = 0; trial < trials; trial++) {
    const name = `bench_failover_${trial}_${signal.toLowerCase()}`;
    await admin.query(`DROP DATABASE IF EXISTS ${name}`);
    await admin.query(`CREATE DATABASE ${name}`);
    const url = new URL(adminUrl);
    url.pathname = `/${name}`;
    const dirs = [mkdtempSync(join(tmpdir(), "sb-failover-")), mkdtempSync(join(tmpdir(), "sb-failover-"))];
    const { client, pongs } = await watcher();
    const children = [start(url.toString(), dirs[0])];
    await sleep(1500); // the first instance migrates and leads
    children.push(start(url.toString(), dirs[1]));
    let pinger = setInterval(() => client.say("#ops", "!ping"), 250);
    while (pongs.length === 0) await sleep(50);
    // Then quiet (an idle leader, the usual case for a restart), the standby up and polling.
    clearInterval(pinger);
    await sleep(3000);
    const db = new pg.Client({ connectionString: url.toString() });
    await db.connect();
    const { rows } = await db.query("SELECT holder FROM leases WHERE resource = 'irc:irc'");
    await db.end();
    const leader = children.find((c) => rows[0].holder.split(":")[1] === String(c.pid));
    const killedAt = performance.now();
    const seen = pongs.length;
    leader.kill(signal);
    // Pings start once the old leader has exited (so it cannot answer them, and its shutdown is not kept busy).
    await new Promise((resolve) => leader.once("exit", resolve));
    pinger = setInterval(() => client.say("#ops", "!ping"), 100);
    while (pongs.length === seen) await sleep(20);
    const first = pongs[seen];
    results[signal].push((first - killedAt) / 1000);
    clearInterval(pinger);
    for (const child of children) child.kill("SIGKILL");
    client.quit();
    await sleep(500);
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
    process.stderr.write(`${signal} trial ${trial + 1}: ${results[signal].at(-1).toFixed(2)} s\n`);
  }
}
await admin.end();
const median = (v) => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)];
mkdirSync(fileURLToPath(new URL("./results/", import.meta.url)), { recursive: true });
writeFileSync(fileURLToPath(new URL("./results/irc-failover.json", import.meta.url)), JSON.stringify(results, null, 2));
console.log("| leader stopped by | median s | min–max s | trials |\n|---|---|---|---|");
for (const [signal, v] of Object.entries(results))
  console.log(
    `| ${signal === "SIGKILL" ? "kill -9" : signal} | ${median(v).toFixed(2)} | ${Math.min(...v).toFixed(2)}–${Math.max(...v).toFixed(2)} | ${v.length} |`,
  );
