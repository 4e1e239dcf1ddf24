// ChatOps RPC costs: matching server-supplied patterns with RE2JS (what the rpc plugin uses) against V8's
// backtracking RegExp, and a signed call's round trip to an @switchboard/rpc-server service on node:http (the
// plugin's signer, the server's verifier with its nonce cache, one handler). Prints a table; results in README.md.
//
//   node bench/rpc.mjs
import { generateKeyPairSync } from "node:crypto";
import { createServer } from "node:http";
import { authHeaders, compileMethodPattern } from "@switchboard/plugin-rpc";
import { chatopsHandler, createChatopsServer, defineMethod } from "@switchboard/rpc-server";

const ms = (start) => Number(process.hrtime.bigint() - start) / 1e6;

function timeMatch(match, input, runs) {
  const start = process.hrtime.bigint();
  for (let i = 0; i < runs; i++) match(input);
  return ms(start) / runs;
}

console.log("## Catastrophic pattern `evil (a+)+b` against `evil ` + n × `a` (no match)\n");
console.log("| n | RE2JS (ms per match) | V8 RegExp (ms per match) |");
console.log("|---|---|---|");
const re2 = compileMethodPattern("evil (a+)+b");
for (let i = 0; i < 50; i++) re2.match(`evil ${"a".repeat(30)}`); // warm up the JIT
const native = /^(?:evil (a+)+b)$/i;
for (const n of [16, 20, 24, 26, 1000, 2000, 3900]) {
  const input = `evil ${"a".repeat(n)}`;
  const r = timeMatch((s) => re2.match(s), input, n > 100 ? 20 : 200);
  const v = n <= 26 ? timeMatch((s) => native.test(s), input, 1).toFixed(1) : "not run (2^n)";
  console.log(`| ${n} | ${r.toFixed(3)} | ${v} |`);
}

console.log("\n## A typical method pattern `restart (?<app>[a-z0-9-]+)(?: on (?<host>\\S+))?`\n");
const typical = compileMethodPattern("restart (?<app>[a-z0-9-]+)(?: on (?<host>\\S+))?");
const typicalNative = /^(?:restart (?<app>[a-z0-9-]+)(?: on (?<host>\S+))?)$/i;
const line = "restart web-frontend on fe12.example.com";
const runs = 100_000;
console.log("| engine | µs per match with groups |");
console.log("|---|---|");
console.log(`| RE2JS | ${(timeMatch((s) => typical.match(s), line, runs) * 1000).toFixed(2)} |`);
console.log(`| V8 RegExp | ${(timeMatch((s) => typicalNative.exec(s)?.groups, line, runs) * 1000).toFixed(2)} |`);

console.log("\n## Signed calls to an rpc-server service on node:http (loopback, sequential, 2048-bit RSA)\n");
const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
const server = createServer();
await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
const origin = `http://127.0.0.1:${server.address().port}`;
const service = createChatopsServer({
  namespace: "bench",
  baseUrls: [origin],
  publicKeys: { bench: publicKey },
  methods: [defineMethod({ name: "ping", regex: "ping", handler: () => "pong" })],
});
server.on("request", chatopsHandler(service));
const key = { id: "bench", key: privateKey };
const body = JSON.stringify({ user: "alice", room_id: "#ops", method: "ping", params: {} });
const url = `${origin}/_chatops/ping`;
const call = async () => {
  const response = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json", ...authHeaders(key, url, body) },
    body,
  });
  const json = await response.json();
  if (json.result !== "pong") throw new Error(JSON.stringify(json));
};
for (let i = 0; i < 50; i++) await call();
const calls = 1000;
const latencies = [];
const started = process.hrtime.bigint();
for (let i = 0; i < calls; i++) {
  const t = process.hrtime.bigint();
  await call();
  latencies.push(ms(t));
}
const total = ms(started);
latencies.sort((a, b) => a - b);
const signStart = process.hrtime.bigint();
for (let i = 0; i < 200; i++) authHeaders(key, url, body);
const signMs = ms(signStart) / 200;
console.log("| calls | per second | p50 ms | p99 ms | signing alone (ms) |");
console.log("|---|---|---|---|---|");
console.log(
  `| ${calls} | ${Math.round(calls / (total / 1000))} | ${latencies[calls / 2].toFixed(2)} | ${latencies[Math.floor(calls * 0.99)].toFixed(2)} | ${signMs.toFixed(2)} |`,
);
server.close();
