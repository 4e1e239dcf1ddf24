// Shared helpers for the dispatch benchmark runners and the orchestrator.
// A runner builds its bot, then drives it through runSequential/runConcurrent with a
// sendFn(text, i) that returns a Promise resolved when the bot's reply to message i arrives.
import { performance } from "node:perf_hooks";
import { parseArgs } from "node:util";

// Small, fast, seedable PRNG (mulberry32). Returns floats in [0, 1).
export function mulberry32(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// The workload: `count` messages, each naming a random command index k in 0..n-1.
// Same (n, count, seed) gives the same sequence for every system.
// `arg` (`${argPrefix}${i}`) is unique per message so each reply can be checked against its message.
// Only the indexes are kept (4 bytes a message); texts are made as they are sent, so the harness's own memory does
// not grow with the number of messages (peak RSS is compared at 5k, 10k and 20k messages).
export function makeWorkload(n, count, seed = 42, argPrefix = "a") {
  const rand = mulberry32(seed);
  const ks = new Int32Array(count);
  for (let i = 0; i < count; i++) ks[i] = Math.floor(rand() * n);
  return { ks, count, argPrefix };
}

// Nearest-rank percentile over an ascending-sorted numeric array.
export function percentile(sorted, p) {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1];
}

export function median(values) {
  const xs = values.filter((v) => typeof v === "number" && Number.isFinite(v)).sort((a, b) => a - b);
  if (xs.length === 0) return null;
  const mid = xs.length >> 1;
  return xs.length % 2 ? xs[mid] : (xs[mid - 1] + xs[mid]) / 2;
}

// Await each reply before sending the next message. sendFn(i) sends message i.
export async function runSequential(sendFn, count) {
  const latencies = new Float64Array(count);
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  for (let i = 0; i < count; i++) {
    const start = performance.now();
    await sendFn(i);
    latencies[i] = performance.now() - start;
  }
  return finish(t0, cpu0, latencies, count);
}

// Keep `inFlight` messages outstanding; a new one is sent as soon as a reply arrives.
export async function runConcurrent(sendFn, count, inFlight = 100) {
  const latencies = new Float64Array(count);
  let next = 0;
  let done = 0;
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  async function lane() {
    while (next < count) {
      const i = next++;
      const start = performance.now();
      await sendFn(i);
      latencies[i] = performance.now() - start;
      done++;
    }
  }
  await Promise.all(Array.from({ length: Math.min(inFlight, count) }, lane));
  return finish(t0, cpu0, latencies, done);
}

// cpuUsPerMsg: CPU time (user + system) of this process per message. On a machine shared with other work, wall
// time includes the time other processes held the CPU; CPU time mostly does not, so it compares systems better there.
function finish(t0, cpu0, latencies, completed) {
  const seconds = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  if (completed !== latencies.length) {
    throw new Error(`only ${completed} of ${latencies.length} messages completed`);
  }
  const sorted = Float64Array.from(latencies).sort();
  return {
    messages: completed,
    seconds,
    throughput: completed / seconds,
    cpuUsPerMsg: (cpu.user + cpu.system) / completed,
    p50Ms: percentile(sorted, 50),
    p99Ms: percentile(sorted, 99),
  };
}

export function runMode(mode, sendFn, count, inFlight = 100) {
  if (mode === "sequential") return runSequential(sendFn, count);
  if (mode === "concurrent") return runConcurrent(sendFn, count, inFlight);
  throw new Error(`unknown mode ${mode}`);
}

// Warm up (opts.warmup messages, other seed, not measured), then measure opts.messages messages.
// format(k, arg) -> message text for command k; send(text, i) -> Promise of the reply text.
// Every reply is checked (default: command k answers "ok <arg>"); a wrong or missing reply throws.
const STALL_MS = 30_000;
export async function benchmark(opts, { format, send, check = (reply, item) => reply === `ok ${item.arg}` }) {
  const run = async (workload) => {
    const { ks, argPrefix, count } = workload;
    let replies = 0;
    const checked = async (i) => {
      const arg = `${argPrefix}${i}`;
      const text = format(ks[i], arg);
      const reply = await send(text, i);
      if (!check(reply, { k: ks[i], arg }))
        throw new Error(`bad reply to ${JSON.stringify(text)}: ${JSON.stringify(reply)}`);
      replies++;
    };
    // A message that never gets its reply would hang the run: fail after STALL_MS without progress.
    let timer;
    const stalled = new Promise((_, reject) => {
      let seen = -1;
      timer = setInterval(() => {
        if (replies === seen) reject(new Error(`stalled: ${replies} of ${count} replies after ${STALL_MS} ms`));
        seen = replies;
      }, STALL_MS);
    });
    try {
      return await Promise.race([runMode(opts.mode, checked, count, opts.inFlight), stalled]);
    } finally {
      clearInterval(timer);
    }
  };
  if (opts.warmup > 0) await run(makeWorkload(opts.n, opts.warmup, opts.seed + 1, "w"));
  return run(makeWorkload(opts.n, opts.messages, opts.seed));
}

// A typo of a command name: its second and third characters swapped (`cmd42` -> `cdm42`), one edit away
// (a transposition), so a "did you mean" answer names it first.
export function typo(name) {
  return name.length < 3 ? `${name}x` : `${name[0]}${name[2]}${name[1]}${name.slice(3)}`;
}

// The runner CLI contract: --n N --mode sequential|concurrent --messages M [--in-flight 100] [--seed 42] [--warmup W]
//   [--workload hit|miss]  hit: every message names a command; miss: every message misspells one (see typo()).
export function parseRunnerArgs(argv = process.argv.slice(2)) {
  const { values } = parseArgs({
    args: argv,
    options: {
      n: { type: "string", default: "10" },
      mode: { type: "string", default: "sequential" },
      messages: { type: "string", default: "20000" },
      "in-flight": { type: "string", default: "100" },
      seed: { type: "string", default: "42" },
      warmup: { type: "string", default: "500" },
      workload: { type: "string", default: "hit" },
    },
  });
  const opts = {
    n: Number(values.n),
    mode: values.mode,
    messages: Number(values.messages),
    inFlight: Number(values["in-flight"]),
    seed: Number(values.seed),
    warmup: Number(values.warmup),
    workload: values.workload,
  };
  if (!["sequential", "concurrent"].includes(opts.mode)) throw new Error(`--mode must be sequential|concurrent`);
  if (!["hit", "miss"].includes(opts.workload)) throw new Error(`--workload must be hit|miss`);
  for (const k of ["n", "messages", "inFlight", "warmup", "seed"]) {
    if (!Number.isInteger(opts[k]) || opts[k] < 0) throw new Error(`--${k} must be a non-negative integer`);
  }
  return opts;
}

// Milliseconds since this process started (perf_hooks' time origin).
export function sinceProcessStartMs() {
  return performance.now();
}

// Peak resident set size of this process so far, in MB (maxRSS is reported in KiB).
export function peakRssMb() {
  return process.resourceUsage().maxRSS / 1024;
}

// Print the one JSON result line the orchestrator reads.
export function report(fields) {
  process.stdout.write(`${JSON.stringify({ ...fields, peakRssMb: round(peakRssMb()) })}\n`);
}

export function round(x, digits = 3) {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}
