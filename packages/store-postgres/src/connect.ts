/**
 * Connections with session guards: every session Switchboard opens carries statement, lock and idle-in-transaction
 * timeouts and TCP keepalives (in the `options` startup parameter, so they hold from the first statement), and is
 * checked to be a real PostgreSQL session, not one multiplexed by PgBouncer in transaction mode.
 * @module
 */
import pg from "pg";

/** Session guards: server-side limits that keep a hung or partitioned instance from holding locks for long. */
export interface SessionGuards {
  /** `statement_timeout`, ms. Default 30,000. */
  statementTimeoutMs?: number;
  /** `lock_timeout`, ms. Default 5,000. */
  lockTimeoutMs?: number;
  /** `idle_in_transaction_session_timeout`, ms: a session stopped inside a transaction is ended. Default 10,000. */
  idleInTransactionTimeoutMs?: number;
  /** `tcp_keepalives_idle` / `_interval` / `_count`, seconds. Default 10 / 5 / 3. */
  keepalives?: { idle: number; interval: number; count: number };
}

/** What to connect to, and how. */
export interface ConnectOptions extends SessionGuards {
  /** A `postgres://` URL (from `${DATABASE_URL}`). */
  url: string;
  /** Connections in the pool (the audit log, the store and claims share it). Default 5. */
  poolSize?: number;
  /** Client-side limit on one query, ms (covers a server that stopped answering). Default 35,000. */
  queryTimeoutMs?: number;
  /** `application_name`, shown in `pg_stat_activity`. Default `switchboard`. */
  applicationName?: string;
}

/** The settings actually requested from the server, as `name → value` (what {@link checkSession} compares). */
export function guardSettings(guards: SessionGuards): Record<string, string> {
  const keepalives = guards.keepalives ?? { idle: 10, interval: 5, count: 3 };
  return {
    statement_timeout: `${guards.statementTimeoutMs ?? 30_000}`,
    lock_timeout: `${guards.lockTimeoutMs ?? 5_000}`,
    idle_in_transaction_session_timeout: `${guards.idleInTransactionTimeoutMs ?? 10_000}`,
    tcp_keepalives_idle: `${keepalives.idle}`,
    tcp_keepalives_interval: `${keepalives.interval}`,
    tcp_keepalives_count: `${keepalives.count}`,
  };
}

/** The `pg` client configuration for `options` (shared by the pool and the dedicated LISTEN/lease clients). */
export function clientConfig(options: ConnectOptions): pg.ClientConfig {
  const settings = guardSettings(options);
  return {
    connectionString: options.url,
    application_name: options.applicationName ?? "switchboard",
    options: Object.entries(settings)
      .map(([name, value]) => `-c ${name}=${value}`)
      .join(" "),
    keepAlive: true,
    keepAliveInitialDelayMillis: 10_000,
    query_timeout: options.queryTimeoutMs ?? 35_000,
    connectionTimeoutMillis: 10_000,
  };
}

/** Thrown when the connection goes through a pooler that would break session semantics. */
export class PoolerRefusedError extends Error {
  override name = "PoolerRefusedError";
}

/** Millisecond settings come back from `current_setting` in the server's units; compare numerically in ms. */
function settingInMs(value: string): number | undefined {
  const match = /^(\d+)\s*(ms|s|min|h)?$/.exec(value.trim());
  if (!match) return undefined;
  const factor = { ms: 1, s: 1000, min: 60_000, h: 3_600_000 }[match[2] ?? "ms"] ?? 1;
  return Number(match[1]) * factor;
}

/**
 * Refuses a session that is not a plain PostgreSQL session. PgBouncer in transaction (or statement) mode hands each
 * transaction to any server connection, which breaks LISTEN, session state and advisory locks; it is detected two
 * ways:
 * 1. The guards sent in `options` must be in effect (`current_setting`). PgBouncer 1.18 refuses the `options`
 *    startup parameter outright (the connect fails, see {@link describeConnectError}); one configured to ignore it
 *    drops the guards silently, which this catches.
 * 2. `SHOW pool_mode` is only answered by PgBouncer's admin console; on a plain server it fails with "unrecognized
 *    configuration parameter". Answering it at all means something other than PostgreSQL is on the line.
 */
export async function checkSession(client: pg.ClientBase, guards: SessionGuards): Promise<void> {
  const wanted = guardSettings(guards);
  const names = Object.keys(wanted);
  const { rows } = await client.query<{ name: string; setting: string }>(
    "SELECT name, current_setting(name) AS setting FROM unnest($1::text[]) AS name",
    [names],
  );
  const seen = new Map(rows.map((row) => [row.name, row.setting]));
  const dropped: string[] = [];
  for (const name of names) {
    const got = seen.get(name) ?? "";
    const same = name.startsWith("tcp_")
      ? got === wanted[name] || got === "0" // tcp_* read 0 on a Unix socket, where they do not apply
      : settingInMs(got) === Number(wanted[name]);
    if (!same) dropped.push(`${name} (asked ${wanted[name]}, got ${got || "nothing"})`);
  }
  if (dropped.length > 0)
    throw new PoolerRefusedError(
      `the session settings sent at connect were not applied: ${dropped.join(", ")}. A connection pooler (PgBouncer) ` +
        "between Switchboard and PostgreSQL drops them; connect Switchboard to PostgreSQL directly (or through PgBouncer in session mode)",
    );
  const probe = await client.query("SHOW pool_mode").then(
    (result) => result.rows[0] as Record<string, unknown> | undefined,
    () => undefined,
  );
  if (probe !== undefined)
    throw new PoolerRefusedError(
      `the server answered SHOW pool_mode (${JSON.stringify(probe)}): this is a connection pooler, not PostgreSQL; connect Switchboard to PostgreSQL directly`,
    );
}

/** A connect error made readable: PgBouncer's refusal of the `options` parameter is named as such. */
export function describeConnectError(error: unknown): Error {
  const message = error instanceof Error ? error.message : String(error);
  if (/unsupported startup parameter/i.test(message))
    return new PoolerRefusedError(
      `the server refused Switchboard's session settings ("${message}"): this is PgBouncer, whose transaction mode ` +
        "breaks leases, LISTEN and session guards; connect Switchboard to PostgreSQL directly",
    );
  return error instanceof Error ? error : new Error(message);
}

/** A new `pg.Pool` with the guards; each new session is checked by {@link checkSession} before use. */
export function createPool(options: ConnectOptions): pg.Pool {
  const pool = new pg.Pool({ ...clientConfig(options), max: options.poolSize ?? 5 });
  // pg-pool listens for a client's errors only while it is idle. A checked-out client (a transaction: a lease
  // write, the reaper) whose connection dies — a database restart — would emit an 'error' nobody handles and end
  // the process. Its queries are rejected all the same, which is how the holder learns of it.
  pool.on("connect", (client) => client.on("error", () => {}));
  return pool;
}

/** A single dedicated client (LISTEN, lease renewals) with the guards, connected and checked. */
export async function connectClient(options: ConnectOptions): Promise<pg.Client> {
  const client = new pg.Client(clientConfig(options));
  try {
    await client.connect();
  } catch (error) {
    throw describeConnectError(error);
  }
  try {
    await checkSession(client, options);
  } catch (error) {
    await client.end().catch(() => {});
    throw error;
  }
  return client;
}
