/**
 * `store.postgres`: several instances on one PostgreSQL database. Opens the shared store and audit log (migrating
 * once), heartbeats this instance and abandons the jobs of dead ones (announced in their rooms), and puts the
 * networks that allow one connection per bot (IRC: one nick; Matrix: one device) under a lease, so only one
 * instance connects at a time and a standby takes over. A Matrix network's session and crypto store live in the
 * database too, sealed with `stateKey` and written only under its lease, so the standby takes over the same device.
 * @module
 */
import type { Adapter, AdapterStateStore, AnyCommand, Bot, Logger } from "@switchboard/core";
import { defineCommand, out } from "@switchboard/core";
import { type AdapterConfig, networkName } from "./adapter-types.js";
import type { SwitchboardConfig } from "./config/schema.js";

/** The adapter types whose connection only the lease holder opens. */
const LEASED_TYPES = new Set(["irc", "matrix"]);
/** The adapter types whose state (session, encryption keys) follows the lease, sealed with `stateKey`. */
const STATEFUL_TYPES = new Set(["matrix"]);
/** How the key is named in errors. */
const STATE_KEY_SETTING = "store.postgres.stateKey";

/** The shared database as the app uses it. */
export interface PostgresAppStorage {
  /** This instance's id. */
  instance: string;
  store: import("@switchboard/core").Store;
  auditLog: import("@switchboard/core").AuditLog;
  /** The signed audit checkpoints of every instance (`audit_checkpoints`). */
  checkpoints: import("@switchboard/store-postgres").CheckpointTable;
  /** A name for the database without credentials (the checkpoint file is named after it). */
  id: string;
  /** The database's id (its checkpoint files are named after it). */
  identity: { id: string; createdAt: string; adopted: boolean };
  /** What the factory of `entry`'s adapter gets besides the logger: the shared state of a Matrix network. */
  adapterContext(entry: AdapterConfig): { state?: AdapterStateStore };
  /** Wraps `adapter` in a lease when its type needs one connection per bot. */
  wrap(adapter: Adapter, entry: AdapterConfig): Adapter;
  /** The leases this instance takes part in, and whether it holds each now. */
  leases(): Array<{ resource: string; leading: boolean }>;
  /** `status`: which instance answers, and who holds each connection lease. */
  statusCommand(): AnyCommand;
  /** Starts heartbeating and abandoning the jobs of dead instances (announced through `bot`). */
  start(bot: Bot): Promise<void>;
  close(): Promise<void>;
}

/** The URL without user and password, for logs and file names. */
export function describeUrl(url: string): string {
  try {
    const parsed = new URL(url);
    return `postgres://${parsed.host}${parsed.pathname}`;
  } catch {
    return "postgres://(unparsable URL)";
  }
}

/**
 * Opens `store.postgres` (refusing PgBouncer in transaction mode) and migrates the schema if needed. When `entries`
 * has a Matrix network, `stateKey` must be set and be the key the database's state is sealed with.
 */
export async function openPostgresStorage(
  config: SwitchboardConfig,
  logger: Logger,
  entries: AdapterConfig[],
): Promise<PostgresAppStorage> {
  const settings = config.store.postgres!;
  const {
    checkStateKey,
    InstanceRegistry,
    LeasedAdapter,
    LeasedState,
    LeaseListener,
    leaseHolders,
    openPostgres,
    parseStateKey,
  } = await import("@switchboard/store-postgres");
  const stateful = entries.some((entry) => STATEFUL_TYPES.has(entry.type));
  // Before connecting: a missing or malformed key is a configuration error (its message never shows the key).
  const stateKey = stateful ? parseStateKey(settings.stateKey, STATE_KEY_SETTING) : undefined;
  const storage = await openPostgres({
    url: settings.url,
    // Approvals of a dead instance's waiting jobs are refused after the same time its running jobs are abandoned.
    deadAfterMs: settings.deadAfter,
    onError: (err) => logger.warn({ err }, "a pooled PostgreSQL connection failed (it is replaced)"),
  });
  const id = describeUrl(settings.url);
  logger.info(
    { instance: storage.instance, database: id, migrated: storage.migration.applied },
    "connected to PostgreSQL",
  );
  const listener = new LeaseListener(storage.connect, (err) =>
    logger.warn({ err }, "the lease LISTEN connection failed (reconnecting; standbys still poll)"),
  );
  try {
    if (stateKey) await checkStateKey(storage.pool, stateKey, STATE_KEY_SETTING);
    await listener.start();
  } catch (error) {
    await storage.close();
    throw error;
  }
  const leased: InstanceType<typeof LeasedAdapter>[] = [];
  /** The lease of each resource, once its adapter is wrapped (the state store asks it at every write). */
  const electors = new Map<string, InstanceType<typeof LeasedAdapter>["elector"]>();
  const resourceOf = (entry: AdapterConfig) => `${entry.type}:${networkName(entry)}`;
  let registry: InstanceType<typeof InstanceRegistry> | undefined;
  return {
    instance: storage.instance,
    store: storage.store,
    auditLog: storage.auditLog,
    checkpoints: storage.checkpoints,
    id,
    identity: storage.identity,
    adapterContext(entry) {
      if (!stateKey || !STATEFUL_TYPES.has(entry.type)) return {};
      const resource = resourceOf(entry);
      const state = new LeasedState({
        pool: storage.pool,
        key: stateKey,
        resource,
        holder: storage.instance,
        lease: () => electors.get(resource)?.lease,
      });
      return { state };
    },
    wrap(adapter, entry) {
      if (!LEASED_TYPES.has(entry.type)) return adapter;
      const wrapped = new LeasedAdapter(adapter, {
        pool: storage.pool,
        holder: storage.instance,
        resource: resourceOf(entry),
        ttlMs: settings.leaseTtl,
        listener,
        onError: (err) => logger.warn({ err, network: adapter.network }, "lease renewal or poll failed"),
      });
      leased.push(wrapped);
      electors.set(wrapped.elector.resource, wrapped.elector);
      return wrapped;
    },
    leases: () => leased.map((a) => ({ resource: a.elector.resource, leading: a.leading })),
    statusCommand: () =>
      defineCommand({
        name: "status",
        summary: "Which instance answers, and which instance holds each network's connection",
        permission: "status:read",
        examples: ["status"],
        handler: async () => {
          const held = await leaseHolders(storage.pool);
          const lines = [`answered by instance ${storage.instance}`];
          for (const a of leased) {
            const lease = held.find((h) => h.resource === a.elector.resource);
            lines.push(
              lease
                ? `${a.elector.resource}: led by ${lease.holder === storage.instance ? "this instance" : lease.holder} (token ${lease.token})`
                : `${a.elector.resource}: nobody holds it now (a standby takes it within ${settings.leaseTtl / 1000}s)`,
            );
          }
          return out.text(lines.join("\n"));
        },
      }),
    async start(bot) {
      registry = new InstanceRegistry({
        pool: storage.pool,
        instance: storage.instance,
        deadAfterMs: settings.deadAfter,
        onError: (err) => logger.warn({ err }, "heartbeat failed"),
        onAbandoned: async (jobs) => {
          for (const job of jobs) {
            logger.warn({ ...job }, "abandoned a job of a dead instance (outcome unknown, not run again)");
            if (job.room === null) continue;
            await bot
              .announce(
                { network: job.network, room: job.room },
                out.status(
                  "warn",
                  `job ${job.jobId ?? "?"} was running on instance ${job.instance}, which stopped: its outcome is unknown and it is not run again`,
                ),
              )
              .catch((err: unknown) => logger.warn({ err }, "could not announce an abandoned job"));
          }
        },
      });
      await registry.start();
    },
    async close() {
      await registry?.stop().catch((err: unknown) => logger.warn({ err }, "could not mark this instance stopped"));
      await listener.close();
      await storage.close();
    },
  };
}
