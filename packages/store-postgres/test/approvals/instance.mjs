// One bot instance as a separate process, for the approval tests (test/approvals.test.ts): the shared database
// (store and audit log of the built package), heartbeats and the reaper, and a bot on a memory adapter "slack"
// (both instances read the same workspace, as with Slack Socket Mode). `deploy` needs one approval with
// deploy:approve (`deploy hold…` runs until it is cancelled, as `hold` does without approval); oscar holds jobs:cancel; root (admin) and mallory
// (admin, a requester who can hand out roles) use `role grant`/`role revoke` (the grant tests, test/grants.test.ts). NO_CHANGES=1 hides the store's change notices from this instance (as if
// every NOTIFY were missed: it keeps the grants it loaded at start). Each stdin line is
//   say <message id> <sender> <text>    - a chat message from <sender> in room C0123
//   click <sender> <job id> approve|deny - a button press (reaches the desk as a typed approve/deny would)
// Everything it observes is printed as one JSON object per line on stdout.
import { createInterface } from "node:readline";

const env = process.env;
const { InstanceRegistry, openPostgres } = await import("@switchboard/store-postgres");
const { createBot, defineCommand, arg, out, renderText, silentLogger } = await import("@switchboard/core");
const { MemoryAdapter } = await import("@switchboard/testing");

const say = (event) => process.stdout.write(`${JSON.stringify({ ...event, instance: env.INSTANCE })}\n`);
const deadAfterMs = Number(env.DEAD_AFTER_MS ?? 15_000);
const storage = await openPostgres({ url: env.DATABASE_URL, instance: env.INSTANCE, deadAfterMs, onError: () => {} });
const registry = new InstanceRegistry({
  pool: storage.pool,
  instance: storage.instance,
  heartbeatEveryMs: 250,
  deadAfterMs,
  onAbandoned: (jobs) => say({ ev: "abandoned", jobs }),
  onError: () => {},
});
await registry.start();

const adapter = new MemoryAdapter("slack");
adapter.onSend((sent) =>
  say({ ev: "sent", room: sent.target.room.id, jobId: sent.message.jobId, text: renderText(sent.message.blocks) }),
);
/** The store without its change notices (NO_CHANGES=1), every other method the real one's. */
function withoutChanges(store) {
  const methods = [
    "get",
    "set",
    "setIfAbsent",
    "delete",
    "list",
    "acquireLock",
    "releaseLock",
    "listLocks",
    "claimOccurrence",
    "close",
  ];
  const bare = Object.fromEntries(methods.map((name) => [name, (...args) => store[name](...args)]));
  return { ...bare, approvals: store.approvals };
}

const bot = createBot({
  store: env.NO_CHANGES === "1" ? withoutChanges(storage.store) : storage.store,
  auditLog: storage.auditLog,
  policy: {
    roles: {
      dev: { permissions: ["deploy"] },
      approver: { permissions: ["deploy", "deploy:approve"] },
      admin: { permissions: ["deploy", "deploy:approve", "role:grant", "role:revoke"] },
      ops: { permissions: ["deploy", "jobs:cancel"] },
    },
    principals: {
      root: { roles: ["admin"], identities: { slack: "root" } },
      mallory: { roles: ["admin"], identities: { slack: "mallory" } },
      alice: { roles: ["approver"], identities: { slack: "alice" } },
      bob: { roles: ["approver"], identities: { slack: "bob" } },
      carol: { roles: ["approver"], identities: { slack: "carol" } },
      dave: { roles: ["dev"], identities: { slack: "dave" } },
      oscar: { roles: ["ops"], identities: { slack: "oscar" } },
    },
  },
  logger: silentLogger(),
  rateLimit: false,
  adapters: [adapter],
  commands: [
    defineCommand({
      name: "deploy",
      summary: "deploy",
      guests: false,
      permission: "deploy",
      args: { env: arg.string({ positional: true }) },
      sideEffect: true,
      approval: { permission: "deploy:approve", ...(env.APPROVALS ? { count: Number(env.APPROVALS) } : {}) },
      handler: async (ctx) => {
        say({ ev: "running", env: ctx.args.env, job: ctx.job.id, approvers: ctx.approvers });
        // `deploy hold…` runs until it is cancelled.
        if (ctx.args.env.startsWith("hold"))
          await new Promise((_, reject) => ctx.signal.addEventListener("abort", () => reject(ctx.signal.reason)));
        return out.status("ok", `deployed ${ctx.args.env}`);
      },
    }),
    defineCommand({
      name: "hold",
      summary: "runs until it is cancelled (needs no approval)",
      guests: false,
      permission: "deploy",
      handler: async (ctx) => {
        say({ ev: "running", job: ctx.job.id, approvers: ctx.approvers });
        await new Promise((_, reject) => ctx.signal.addEventListener("abort", () => reject(ctx.signal.reason)));
      },
    }),
  ],
});
await bot.start();

const room = { id: "C0123", direct: false };
const sender = (id) => ({ id, name: id, verified: true });
createInterface({ input: process.stdin }).on("line", (line) => {
  const [verb, ...rest] = line.split(" ");
  if (verb === "say") {
    const [id, from, ...words] = rest;
    void adapter
      .inject({ id, network: "slack", room, sender: sender(from), text: words.join(" "), time: new Date() })
      .then(() => say({ ev: "handled", id }));
  } else if (verb === "click") {
    const [from, jobId, decision] = rest;
    void adapter
      .decide({ jobId, decision, sender: sender(from), room })
      .then((result) => say({ ev: "clicked", jobId, from, ...result }));
  }
});

process.on("SIGTERM", async () => {
  await bot.stop();
  await registry.stop();
  await storage.close();
  say({ ev: "stopped" });
  process.exit(0);
});

say({ ev: "started" });
