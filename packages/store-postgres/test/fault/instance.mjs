// One Switchboard-like instance as a separate process, for the fault tests (test/fault.test.ts). It opens the shared
// database, registers itself, elects a leader for each of RESOURCES (default "irc:test"), and, by MODE:
//   idle    - only elects
//   fenced  - while leading, writes a row under the lease's token every 50 ms into fenced_writes (made by the test)
//   writer  - appends audit entries as fast as it can for SECONDS
//   bot     - a bot on a memory adapter "slack" (every instance receives); each stdin line "<message id> <text>" is
//             delivered to it. With LEASED=1 the bot also has a memory adapter "irc" behind a LeasedAdapter on
//             "irc:test" (only the lease holder is connected: "connected"/"disconnected"); a line "@irc <id> <text>"
//             is delivered to that connection (refused on a standby, which has none).
//   hold    - opens a transaction that locks the audit head, says "holding", and waits (to be frozen)
// Lease timings: TTL_MS, FENCE_MARGIN_MS (default TTL / 5), POLL_MS.
// Everything it observes is printed as one JSON object per line on stdout, with `at` (its wall clock, ms). Imports
// the built package (dist).
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

const { InstanceRegistry, LeasedAdapter, LeaseElector, LeaseListener, LeaseLostError, openPostgres } = await import(
  "@switchboard/store-postgres"
);

const say = (event) =>
  process.stdout.write(`${JSON.stringify({ ...event, instance: env.INSTANCE, at: Date.now() })}\n`);
const ttlMs = Number(env.TTL_MS ?? 10_000);
/** How long before the TTL the leader fences itself (default TTL / 5). */
const fence = env.FENCE_MARGIN_MS ? { fenceMarginMs: Number(env.FENCE_MARGIN_MS) } : {};
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

const leased = env.MODE === "bot" && env.LEASED === "1";
const resources = (env.RESOURCES ?? "irc:test").split(",").filter((r) => !(leased && r === "irc:test"));
let writing;
const electors = resources.map(
  (resource) =>
    new LeaseElector({
      pool: storage.pool,
      resource,
      holder: storage.instance,
      ttlMs,
      ...fence,
      pollEveryMs: Number(env.POLL_MS ?? 2_000),
      listener,
      onLead: (lease) => {
        say({ ev: "lead", resource, token: lease.token });
        if (env.MODE === "fenced") writing = fencedWrites(elector, lease);
      },
      onLose: (lease, reason) => say({ ev: "lose", resource, token: lease.token, reason }),
      onError: () => {},
    }),
);
const elector = electors[0];

/** While leading, a row under the lease every 50 ms; a refused write is reported. */
async function fencedWrites(elector, lease) {
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

let stopBot;
if (env.MODE === "bot") {
  const { createBot, defineCommand, arg, out } = await import("@switchboard/core");
  const { MemoryAdapter } = await import("@switchboard/testing");
  const adapter = new MemoryAdapter("slack");
  const text = (message) => JSON.stringify(message).slice(0, 400);
  adapter.onSend((sent) =>
    say({ ev: "sent", network: "slack", inReplyTo: sent.target.inReplyTo, text: text(sent.message) }),
  );
  const adapters = [adapter];
  let irc;
  if (leased) {
    // The connection only the lease holder has (IRC: one nick), reported as it opens and closes.
    irc = new (class extends MemoryAdapter {
      async start(host) {
        await super.start(host);
        say({ ev: "connected" });
      }
      async stop() {
        await super.stop();
        say({ ev: "disconnected" });
      }
    })("irc");
    irc.onSend((sent) =>
      say({ ev: "sent", network: "irc", inReplyTo: sent.target.inReplyTo, text: text(sent.message) }),
    );
    adapters.push(
      new LeasedAdapter(irc, {
        pool: storage.pool,
        holder: storage.instance,
        resource: "irc:test",
        ttlMs,
        ...fence,
        pollEveryMs: Number(env.POLL_MS ?? 2_000),
        listener,
        onError: () => {},
      }),
    );
  }
  // The leased adapter tells its lease changes through the bot's logger: reported as lead/lose; a claim refused
  // because its lease term had ended as claim-refused.
  const reporting = {
    debug: () => {},
    info: (obj, msg) => {
      if (msg === "took the lease: connecting") say({ ev: "lead", resource: obj.resource, token: obj.token });
    },
    warn: (obj, msg) => {
      if (msg === "lease ended: disconnecting")
        say({ ev: "lose", resource: obj.resource, token: obj.token, reason: obj.reason });
      // Core's log line for a message whose claim was refused (its lease term had ended): not run.
      else if (msg?.startsWith("message not run: received under a lease term that has ended"))
        say({ ev: "claim-refused", id: obj.messageId, network: obj.network, resource: obj.resource, token: obj.token });
    },
    error: (obj, msg) => say({ ev: "error", msg, err: String(obj?.err?.message ?? obj?.err ?? "") }),
    child: () => reporting,
  };
  const bot = createBot({
    store: storage.store,
    auditLog: storage.auditLog,
    policy: {
      roles: { ops: { permissions: ["*"] } },
      principals: { alice: { roles: ["ops"], identities: { slack: "alice", irc: "alice" } } },
    },
    logger: reporting,
    rateLimit: false,
    adapters,
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
  stopBot = () => bot.stop();
  createInterface({ input: process.stdin }).on("line", (line) => {
    const onIrc = line.startsWith("@irc ");
    const [id, ...words] = (onIrc ? line.slice(5) : line).split(" ");
    const network = onIrc ? "irc" : "slack";
    const to = onIrc ? irc : adapter;
    if (!to) return say({ ev: "refused", id, network, error: "no such adapter" });
    void to
      .inject({
        id,
        network,
        room: { id: onIrc ? "#ops" : "C0123", direct: false },
        sender: { id: "alice", name: "alice", verified: true },
        text: words.join(" "),
        time: new Date(),
      })
      .then(
        () => say({ ev: "handled", id, network }),
        (error) => {
          const message = String(error?.message ?? error);
          // A standby has no connection: nothing reaches it.
          say({ ev: /is not started/.test(message) ? "refused" : "handle-failed", id, network, error: message });
        },
      );
  });
}

process.on("SIGTERM", async () => {
  await Promise.all(electors.map((e) => e.stop()));
  await stopBot?.();
  await registry.stop();
  await listener.close();
  await writing;
  await storage.close();
  say({ ev: "stopped" });
  process.exit(0);
});

await Promise.all(electors.map((e) => e.start()));
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
