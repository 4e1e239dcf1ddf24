// One Switchboard-like instance as a separate process, for the fault tests (test/fault.test.ts). It opens the shared
// database, registers itself, elects a leader for "irc:test", and, by MODE:
//   idle    - only elects
//   fenced  - while leading, writes a row under the lease's token every 50 ms into fenced_writes (made by the test)
//   writer  - appends audit entries as fast as it can for SECONDS
//   bot     - a bot on a memory adapter; each stdin line "<message id> <text>" is delivered to it
//   hold    - opens a transaction that locks the audit head, says "holding", and waits (to be frozen)
// Everything it observes is printed as one JSON object per line on stdout. Imports the built package (dist).
import { createInterface } from "node:readline";

const env = process.env;
if (env.CLOCK_OFFSET_MS) {
  // A wall clock that is off (the instance's time is wrong); monotonic time is untouched, as on a real machine.
  const offset = Number(env.CLOCK_OFFSET_MS);
  const RealDate = Date;
  const realNow = RealDate.now;
  globalThis.Date = class extends RealDate {
    constructor(...args) {
      super(...(args.length ? args : [realNow() + offset]));
    }
    static now() {
      return realNow() + offset;
    }
  };
}

const { InstanceRegistry, LeaseElector, LeaseListener, LeaseLostError, openPostgres } = await import(
  "@switchboard/store-postgres"
);

const say = (event) => process.stdout.write(`${JSON.stringify({ ...event, instance: env.INSTANCE })}\n`);
const ttlMs = Number(env.TTL_MS ?? 10_000);
const storage = await openPostgres({
  url: env.DATABASE_URL,
  instance: env.INSTANCE,
  onError: () => {},
  ...(env.IDLE_TX_MS ? { idleInTransactionTimeoutMs: Number(env.IDLE_TX_MS) } : {}),
});
say({ ev: "migrated", applied: storage.migration.applied });
const registry = new InstanceRegistry({
  pool: storage.pool,
  instance: storage.instance,
  heartbeatEveryMs: 250,
  deadAfterMs: Number(env.DEAD_AFTER_MS ?? 15_000),
  onAbandoned: (jobs) => say({ ev: "abandoned", jobs }),
  onError: () => {},
});
await registry.start();
const listener = new LeaseListener(storage.connect, () => {});
await listener.start();

let writing;
const elector = new LeaseElector({
  pool: storage.pool,
  resource: "irc:test",
  holder: storage.instance,
  ttlMs,
  pollEveryMs: Number(env.POLL_MS ?? 2_000),
  listener,
  onLead: (lease) => {
    say({ ev: "lead", token: lease.token });
    if (env.MODE === "fenced") writing = fencedWrites(lease);
  },
  onLose: (lease, reason) => say({ ev: "lose", token: lease.token, reason }),
  onError: () => {},
});

/** While leading, a row under the lease every 50 ms; a refused write is reported. */
async function fencedWrites(lease) {
  while (!lease.signal.aborted || env.KEEP_WRITING) {
    try {
      await elector.withLease((client) =>
        client.query("INSERT INTO fenced_writes (holder, token) VALUES ($1, $2)", [lease.holder, lease.token]),
      );
    } catch (error) {
      say({ ev: "write-refused", token: lease.token, error: String(error?.message ?? error) });
      if (error instanceof LeaseLostError) return;
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}

if (env.MODE === "bot") {
  const { createBot, defineCommand, arg, out, silentLogger } = await import("@switchboard/core");
  const { MemoryAdapter } = await import("@switchboard/testing");
  const adapter = new MemoryAdapter("slack");
  adapter.onSend((sent) => say({ ev: "sent", inReplyTo: sent.target.inReplyTo }));
  const bot = createBot({
    store: storage.store,
    auditLog: storage.auditLog,
    policy: {
      roles: { ops: { permissions: ["*"] } },
      principals: { alice: { roles: ["ops"], identities: { slack: "alice" } } },
    },
    logger: silentLogger(),
    rateLimit: false,
    adapters: [adapter],
    commands: [
      defineCommand({
        name: "deploy",
        summary: "deploy",
        guests: false,
        args: { env: arg.string({ positional: true }) },
        sideEffect: true,
        handler: async (ctx) => {
          say({ ev: "running", env: ctx.args.env, job: ctx.job.id });
          if (ctx.args.env === "slow") await new Promise((r) => setTimeout(r, 600_000));
          return out.status("ok", `deployed ${ctx.args.env}`);
        },
      }),
    ],
  });
  await bot.start();
  createInterface({ input: process.stdin }).on("line", (line) => {
    const [id, ...words] = line.split(" ");
    void adapter
      .inject({
        id,
        network: "slack",
        room: { id: "C0123", direct: false },
        sender: { id: "alice", name: "alice", verified: true },
        text: words.join(" "),
        time: new Date(),
      })
      .then(() => say({ ev: "handled", id }));
  });
}

process.on("SIGTERM", async () => {
  await elector.stop();
  await registry.stop();
  await listener.close();
  await writing;
  await storage.close();
  say({ ev: "stopped" });
  process.exit(0);
});

await elector.start();
say({ ev: "started" });

if (env.MODE === "hold") {
  const client = await storage.pool.connect();
  client.on("error", () => {});
  await client.query("BEGIN");
  await client.query("SELECT * FROM audit_head FOR UPDATE");
  say({ ev: "holding" });
}

if (env.MODE === "writer") {
  const until = Date.now() + Number(env.SECONDS ?? 10) * 1000;
  let appended = 0;
  let failed = 0;
  while (Date.now() < until) {
    try {
      await storage.auditLog.append([{ event: "plugin", actor: env.INSTANCE, detail: { n: appended } }]);
      appended++;
    } catch {
      // A database restart: the append failed (or its commit's answer was lost); go on.
      failed++;
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  say({ ev: "appended", count: appended, failed });
}
