// Switchboard dispatch runner, shared by switchboard-memory.mjs and switchboard-sqlite.mjs.
// The bot is built the way an operator would run it: N commands, each with a permission the speaker's role grants,
// every invocation a job with its admitted and outcome entries in a hash-chained audit log.
import { arg, createBot, defineCommand, silentLogger } from "@switchboard/core";
import { benchmark, parseRunnerArgs, report, round, sinceProcessStartMs, typo } from "../harness.mjs";

/** Runs the benchmark with the given audit log and store; `system` names the row in the results. */
export async function runSwitchboard(system, { auditLog, store, close }) {
  const opts = parseRunnerArgs();
  const commands = [];
  for (let k = 0; k < opts.n; k++) {
    commands.push(
      defineCommand({
        name: `cmd${k}`,
        summary: `benchmark command ${k}`,
        permission: "bench:run",
        args: { value: arg.string({ positional: true, required: true }) },
        handler: ({ args }) => `ok ${args.value}`,
      }),
    );
  }
  const bot = createBot({
    logger: silentLogger(),
    commands,
    auditLog,
    store,
    policy: {
      // ratelimit:exempt: one person sending 20,000 commands back to back is what the rate limiter stops; the
      // bench measures dispatch, so its speaker is exempt (the check still runs for every message).
      roles: { bencher: { permissions: ["bench:*", "ratelimit:exempt"] } },
      principals: { bench: { roles: ["bencher"], identities: { bench: "bench" } } },
    },
  });
  await bot.start();
  const startupMs = sinceProcessStartMs();

  const sender = { id: "bench", name: "bench", verified: true };
  const room = { id: "#bench", direct: false };
  let replies = 0;
  let next = 0;
  function send(text) {
    const id = `m${next++}`;
    return new Promise((resolve, reject) => {
      let reply;
      bot
        .handle(
          { id, network: "bench", room, sender, text, time: new Date() },
          {
            respond: async (out) => {
              reply = out.blocks[0]?.text;
            },
          },
        )
        .then(() => {
          replies++;
          resolve(reply);
        }, reject);
    });
  }

  // miss: an unknown command; the answer is "unknown command … Did you mean !cmdK, …?" with the intended one first.
  const result = await benchmark(
    opts,
    opts.workload === "miss"
      ? {
          format: (k, value) => `!${typo(`cmd${k}`)} ${value}`,
          send,
          check: (reply, item) => /Did you mean !cmd(\d+)[,?]/.exec(reply ?? "")?.[1] === `${item.k}`,
        }
      : { format: (k, value) => `!cmd${k} ${value}`, send },
  );
  await bot.stop();
  if (replies !== next) throw new Error(`sent ${next}, replies ${replies}`);
  await close?.();
  report({
    system,
    version: "0.1.0",
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
}
