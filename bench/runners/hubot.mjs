// Hubot 14.1.0 dispatch runner.
// node runners/hubot.mjs --n N --mode sequential|concurrent --messages M  -> one JSON line on stdout
import { createRequire } from "node:module";
import { Adapter, Robot, TextMessage, User } from "hubot";
import { benchmark, parseRunnerArgs, report, round, sinceProcessStartMs, typo } from "../harness.mjs";

const opts = parseRunnerArgs();
const hubotVersion = createRequire(import.meta.url)("hubot/package.json").version;

// Minimal adapter: no shell, no network. send() resolves whoever is waiting for that message id.
class BenchAdapter extends Adapter {
  constructor(robot) {
    super(robot);
    this.waiting = new Map();
    this.replies = 0;
    this.stray = 0;
  }
  async send(envelope, ...strings) {
    // A catch-all reply's envelope carries the CatchAllMessage, which wraps the original message.
    const id = envelope.message?.id ?? envelope.message?.message?.id;
    const resolve = this.waiting.get(id);
    if (!resolve) {
      this.stray++;
      return;
    }
    this.waiting.delete(id);
    this.replies++;
    resolve(strings.join("\n"));
  }
  async reply(envelope, ...strings) {
    return this.send(envelope, ...strings);
  }
  async run() {
    this.emit("connected");
  }
}

// A hubot script, as it would be written in scripts/*.mjs: N commands "hubot cmdK <arg>", and a catch-all that
// answers a message no command matched (Hubot has no "did you mean"; this is its cheapest unknown-command answer).
function commandsScript(robot) {
  for (let k = 0; k < opts.n; k++) {
    robot.respond(new RegExp(`cmd${k}\\s+(\\S+)`, "i"), (res) => res.send(`ok ${res.match[1]}`));
  }
  robot.catchAll((res) => res.send("unknown command"));
}

// httpd = false: no express server (Robot.run() installs a null router instead).
const robot = new Robot({ use: (r) => new BenchAdapter(r) }, false, "hubot");
await robot.loadAdapter();
commandsScript(robot);
await robot.run();
const startupMs = sinceProcessStartMs();
const adapter = robot.adapter;

const user = new User("1", { name: "bench", room: "bench" });
let nextId = 0;
function send(text) {
  const id = `m${nextId++}`;
  return new Promise((resolve, reject) => {
    adapter.waiting.set(id, resolve);
    robot.receive(new TextMessage(user, text, id)).catch(reject);
  });
}

const result = await benchmark(
  opts,
  opts.workload === "miss"
    ? { format: (k, arg) => `hubot ${typo(`cmd${k}`)} ${arg}`, send, check: (reply) => reply === "unknown command" }
    : { format: (k, arg) => `hubot cmd${k} ${arg}`, send },
);
robot.shutdown();
if (adapter.replies !== nextId || adapter.stray !== 0 || adapter.waiting.size !== 0) {
  throw new Error(
    `sent ${nextId}, replies ${adapter.replies}, stray ${adapter.stray}, unanswered ${adapter.waiting.size}`,
  );
}
report({
  system: "hubot",
  version: hubotVersion,
  n: opts.n,
  mode: opts.mode,
  workload: opts.workload,
  messages: result.messages,
  seconds: round(result.seconds),
  throughput: round(result.throughput, 1),
  cpuUsPerMsg: round(result.cpuUsPerMsg, 2),
  p50Ms: round(result.p50Ms, 4),
  p99Ms: round(result.p99Ms, 4),
  startupMs: round(startupMs, 1),
});
