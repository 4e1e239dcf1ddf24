// Exactly-once on Slack with two active instances: COMMANDS `!ping`s (default 2,000) sent through the local Slack to
// two `switchboard start` processes on one PostgreSQL database, each with its own Socket Mode connection (Slack
// spreads the events over them), while every socket is dropped DROPS times (default 10) during the run. Slack's
// redelivery of unacknowledged envelopes (retry_attempt, to any connection) brings the ones lost in a drop to an
// instance again. Each command is a reply in its own thread, so each answer is matched to its command.
// Counts: double executions (a command answered more than once, or claimed/admitted twice), lost audit entries (a
// command that ran — answered — without its claim, `admitted` or `outcome` entry), unanswered commands, and checks
// the whole chain. Uses a throwaway PostgreSQL 15 cluster and the local Slack of @switchboard/test-servers; needs
// `npm run build` and `sh scripts/test-servers.sh`.
//   node bench/slack-duplicates.mjs [--commands 2000] [--drops 10] [--rate 100] [--runs 1]
// Prints the counts per run and writes results/slack-duplicates.json.
import { spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { verifyChain } from "@switchboard/core/audit";
import { openPostgres } from "@switchboard/store-postgres";
import { FakeSlack, SlackPeople, slackTeam, startPostgres } from "@switchboard/test-servers";

const args = Object.fromEntries(
  process.argv.slice(2).flatMap((a, i, all) => (a.startsWith("--") ? [[a.slice(2), all[i + 1]]] : [])),
);
const commands = Number(args.commands ?? 2000);
const drops = Number(args.drops ?? 10);
/** Commands sent per second. */
const rate = Number(args.rate ?? 100);
const runs = Number(args.runs ?? 1);
const root = fileURLToPath(new URL("..", import.meta.url));
const cli = join(root, "apps/bot/dist/cli.js");
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const admin = { id: "U0ADMIN", team: slackTeam.id, name: "admin" };
/** Commands are spread over channels, so that no channel's send pacing is what is measured. */
const channels = Array.from({ length: 10 }, (_, i) => `C0BENCH${i}`);

const config = `
bot: { name: switchboard, prefix: "!" }
store:
  postgres:
    url: \${DATABASE_URL}
adapters:
  - type: slack
    name: slack
    mode: socket
    appToken: \${SLACK_APP_TOKEN}
    botToken: \${SLACK_BOT_TOKEN}
    apiUrl: \${SLACK_API_URL}
    sendInterval: 1ms
    sendBurst: 20
    reconnect: { initialDelay: 100ms, maxDelay: 1s }
roles:
  owner: { permissions: ["*"] }
  guest: { permissions: [] }
principals:
  admin:
    roles: [owner]
    identities: { slack: ${admin.id} }
rules: []
guestRole: guest
log:
  level: warn
  file: "-"
`;

async function until(what, check, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

/** Commands whose event reached the instances more than once (retries after a drop, to either instance). */
function deliveredMoreThanOnce(slack) {
  const times = new Map();
  for (const e of slack.socket.sent) times.set(e.payload.event_id, (times.get(e.payload.event_id) ?? 0) + 1);
  return [...times.values()].filter((n) => n > 1).length;
}

/**
 * Redeliveries written after the command had been answered: each would have run the command a second time without
 * the claim (the acknowledgement was lost in a drop after the command was handled).
 */
function redeliveredAfterAnswered(slack, writtenAt) {
  const answeredAt = new Map();
  for (const call of slack.calls)
    if (
      call.method === "chat.postMessage" &&
      typeof call.args.thread_ts === "string" &&
      !answeredAt.has(call.args.thread_ts)
    )
      answeredAt.set(call.args.thread_ts, call.at);
  return slack.socket.sent.filter((e) => {
    if (e.retry_attempt === undefined) return false;
    const answered = answeredAt.get(e.payload.event?.thread_ts);
    return answered !== undefined && answered < writtenAt.get(e.envelope_id);
  }).length;
}

async function run(index) {
  const postgres = await startPostgres();
  const slack = await FakeSlack.start({ redeliverAfterMs: 1000 });
  slack.addUser(admin);
  const people = new SlackPeople(slack);
  const url = await postgres.database("bench");
  const env = {
    ...process.env,
    DATABASE_URL: url,
    SLACK_APP_TOKEN: slack.tokens.app,
    SLACK_BOT_TOKEN: slack.tokens.bot,
    SLACK_API_URL: slack.apiUrl,
    NO_COLOR: "1",
  };
  const problems = new Map();
  const folders = [0, 1].map(() => mkdtempSync(join(tmpdir(), "switchboard-bench-slack-")));
  const children = folders.map((dir) => {
    writeFileSync(join(dir, "switchboard.yaml"), config);
    const child = spawn(process.execPath, [cli, "start", "--config", "switchboard.yaml"], {
      cwd: dir,
      env: { ...env, XDG_CONFIG_HOME: join(dir, ".config") },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let rest = "";
    const read = (chunk) => {
      const lines = (rest + chunk.toString()).split("\n");
      rest = lines.pop();
      for (const line of lines) {
        // Warnings and errors, by message (pino JSON lines).
        let entry;
        try {
          entry = JSON.parse(line);
        } catch {
          continue;
        }
        if (entry.level < 40) continue;
        const key = `${entry.msg}${entry.err?.message ? `: ${entry.err.message.slice(0, 120)}` : ""}`;
        problems.set(key, (problems.get(key) ?? 0) + 1);
      }
    };
    child.stdout.on("data", read);
    child.stderr.on("data", () => {});
    return child;
  });
  const load = [loadavg()[0]];
  try {
    await until("both Socket Mode connections", () => slack.socket.open === 2, 120_000);
    slack.socket.routing = "spread";
    // When each envelope was written to a connection (to tell redeliveries of already-answered commands).
    const writtenAt = new Map();
    const push = slack.socket.sent.push.bind(slack.socket.sent);
    slack.socket.sent.push = (...envelopes) => {
      for (const e of envelopes) writtenAt.set(e.envelope_id, Date.now());
      return push(...envelopes);
    };
    const sent = [];
    const started = Date.now();
    const dropEvery = Math.floor(commands / (drops + 1));
    for (let i = 0; i < commands; i++) {
      const channel = channels[i % channels.length];
      const thread = slack.nextTs();
      const event = people.messageEvent(admin, channel, "!ping", { thread_ts: thread });
      slack.socket.deliver("events_api", people.eventCallback(event));
      sent.push({ channel, thread, ts: event.ts });
      if ((i + 1) % dropEvery === 0 && slack.socket.drops < drops) slack.socket.drop();
      // Paced: `rate` commands per second, in steps of 10.
      if ((i + 1) % 10 === 0) {
        const due = started + ((i + 1) * 1000) / rate;
        if (due > Date.now()) await sleep(due - Date.now());
      }
      if (i % 500 === 0) load.push(loadavg()[0]);
    }
    const sendingMs = Date.now() - started;
    const answers = new Map();
    const count = () => {
      answers.clear();
      for (const m of slack.messages)
        if (m.thread_ts && /pong/.test(m.text)) answers.set(m.thread_ts, (answers.get(m.thread_ts) ?? 0) + 1);
      return answers.size;
    };
    // Until every command is answered, or nothing new has been answered for 20 s.
    let last = -1;
    let quietSince = Date.now();
    while (count() < commands && Date.now() - quietSince < 20_000) {
      if (answers.size !== last) {
        last = answers.size;
        quietSince = Date.now();
      }
      await sleep(250);
    }
    await sleep(2000); // a late second answer (a double execution) would show up here
    count();
    load.push(loadavg()[0]);

    const storage = await openPostgres({ url });
    try {
      const claims = new Map(
        (await storage.pool.query("SELECT message_id, job_id FROM inbound WHERE network = 'slack'")).rows.map((r) => [
          r.message_id,
          r.job_id,
        ]),
      );
      const byJob = new Map();
      for (const r of (await storage.pool.query("SELECT job_id, event FROM audit WHERE job_id IS NOT NULL")).rows) {
        const events = byJob.get(r.job_id) ?? [];
        events.push(r.event);
        byJob.set(r.job_id, events);
      }
      let doubles = 0;
      /** The first doubled commands: when each post of their thread reached Slack (ms after the first). */
      const doubled = [];
      let lost = 0;
      const missing = { claim: 0, admitted: 0, outcome: 0 };
      let unanswered = 0;
      let claimedNotAnswered = 0;
      for (const command of sent) {
        const times = answers.get(command.thread) ?? 0;
        const job = claims.get(command.ts);
        const events = (job && byJob.get(job)) ?? [];
        const admitted = events.filter((e) => e === "admitted").length;
        const outcomes = events.filter((e) => e === "outcome").length;
        if (times > 1 || admitted > 1 || outcomes > 1) {
          doubles++;
          const posts = slack.calls.filter(
            (c) => c.method === "chat.postMessage" && c.args.thread_ts === command.thread,
          );
          if (doubled.length < 10)
            doubled.push({
              thread: command.thread,
              admitted,
              outcomes,
              postsAtMs: posts.map((c) => c.at - posts[0].at),
            });
        }
        if (times === 0) unanswered++;
        if (times === 0 && job) claimedNotAnswered++;
        if (times > 0 && (!job || admitted === 0 || outcomes === 0)) {
          lost++;
          if (!job) missing.claim++;
          else if (admitted === 0) missing.admitted++;
          else missing.outcome++;
        }
      }
      const chain = await verifyChain(storage.auditLog.entries());
      return {
        run: index + 1,
        commands,
        drops: slack.socket.drops,
        connections: slack.socket.connections,
        redelivered: slack.socket.sent.filter((e) => e.retry_attempt !== undefined).length,
        deliveredMoreThanOnce: deliveredMoreThanOnce(slack),
        redeliveredAfterAnswered: redeliveredAfterAnswered(slack, writtenAt),
        sendingSeconds: sendingMs / 1000,
        answered: answers.size,
        unanswered,
        claimedNotAnswered,
        doubleExecutions: doubles,
        doubled,
        lostAuditEntries: lost,
        missing,
        logged: Object.fromEntries(problems),
        chain: { ok: chain.ok, checked: chain.checked },
        loadAverage: { min: Math.min(...load), max: Math.max(...load) },
      };
    } finally {
      await storage.close();
    }
  } finally {
    for (const child of children) child.kill("SIGTERM");
    await Promise.all(children.map((c) => (c.exitCode === null ? new Promise((r) => c.once("exit", r)) : undefined)));
    await slack.close();
    await postgres.stop();
    for (const dir of folders) rmSync(dir, { recursive: true, force: true });
  }
}

const results = [];
for (let i = 0; i < runs; i++) {
  const result = await run(i);
  results.push(result);
  console.log(JSON.stringify(result));
}
mkdirSync(join(root, "bench/results"), { recursive: true });
writeFileSync(join(root, "bench/results/slack-duplicates.json"), JSON.stringify(results, null, 2));
