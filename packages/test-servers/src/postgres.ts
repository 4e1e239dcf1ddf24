/**
 * Throwaway PostgreSQL 15 clusters (Debian's `postgresql-15`) and PgBouncer in front of them, for the store-postgres
 * tests. Each cluster is initdb'ed into a temporary folder and served on a free loopback port; when the tests run as
 * root, the server runs as the `postgres` user (PostgreSQL refuses to run as root). A missing binary fails the test
 * with the command that provisions it (`sh scripts/test-servers.sh`).
 * @module
 */
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { chownSync, existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { canConnect, freePort, notProvisioned, requireBinary, until } from "./wait.js";

/** Where Debian installs the PostgreSQL 15 server binaries. */
export const POSTGRES_BIN = process.env.SWITCHBOARD_POSTGRES_BIN ?? "/usr/lib/postgresql/15/bin";

/** Data folders of running clusters: stopped (immediate) if the test process exits without stopping them. */
const runningClusters = new Map<string, { uid: number; gid: number } | undefined>();
process.once("exit", () => {
  for (const [data, user] of runningClusters)
    spawnSync(join(POSTGRES_BIN, "pg_ctl"), ["-D", data, "-m", "immediate", "-w", "stop"], { ...(user ?? {}) });
});

/** The uid/gid the servers run as: `postgres` when we are root, ourselves otherwise. */
function serverUser(): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const id = (flag: string) => spawnSync("id", [flag, "postgres"], { encoding: "utf8" });
  const uid = id("-u");
  const gid = id("-g");
  if (uid.status !== 0 || gid.status !== 0)
    throw notProvisioned("there is no `postgres` user (postgresql is not installed)");
  return { uid: Number(uid.stdout.trim()), gid: Number(gid.stdout.trim()) };
}

function run(command: string, args: string[], user: { uid: number; gid: number } | undefined): void {
  const result = spawnSync(command, args, {
    encoding: "utf8",
    ...(user ?? {}),
    env: { ...process.env, LC_ALL: "C.UTF-8" },
  });
  if (result.status !== 0)
    throw new Error(`${command} ${args.join(" ")} failed (${result.status}): ${result.stderr || result.stdout}`);
}

function ownedFolder(prefix: string, user: { uid: number; gid: number } | undefined): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  if (user) chownSync(dir, user.uid, user.gid);
  return dir;
}

/** A running throwaway PostgreSQL cluster. */
export interface TestPostgres {
  port: number;
  /** The folder holding `data/`, the log and the Unix socket. */
  dir: string;
  /** A connection URL for the superuser `postgres` on database `postgres` (trust authentication, loopback only). */
  url: string;
  /** A connection URL for another database of this cluster, created on first use. */
  database(name: string): Promise<string>;
  /** `pg_ctl restart -m fast`: every session is dropped; the data stays. */
  restart(): Promise<void>;
  /** `pg_ctl stop -m fast` (data kept; {@link TestPostgres.start} brings it back on the same port). */
  halt(): Promise<void>;
  start(): Promise<void>;
  /** Stops the server and removes the folder. Idempotent. */
  stop(): Promise<void>;
}

/**
 * Starts a throwaway PostgreSQL 15 cluster on a free loopback port (about one second: initdb without fsync, then
 * pg_ctl start). Settings in `settings` are passed as `-c name=value`.
 */
export async function startPostgres(settings: Record<string, string | number> = {}): Promise<TestPostgres> {
  const initdb = join(POSTGRES_BIN, "initdb");
  const pgCtl = join(POSTGRES_BIN, "pg_ctl");
  if (!existsSync(initdb) || !existsSync(pgCtl)) throw notProvisioned(`PostgreSQL 15 is not installed (no ${initdb})`);
  const user = serverUser();
  const dir = ownedFolder("switchboard-postgres-", user);
  const data = join(dir, "data");
  const log = join(dir, "postgres.log");
  run(initdb, ["-D", data, "-U", "postgres", "-A", "trust", "-E", "UTF8", "--locale=C.UTF-8", "--no-sync"], user);
  const port = await freePort();
  const options = [
    `-p ${port}`,
    `-k ${dir}`,
    "-c listen_addresses=127.0.0.1",
    "-c max_connections=200",
    "-c fsync=on",
    ...Object.entries(settings).map(([name, value]) => `-c ${name}=${value}`),
  ].join(" ");
  const start = async () => {
    run(pgCtl, ["-D", data, "-l", log, "-w", "-t", "30", "-o", options, "start"], user);
    await until(() => canConnect(port), `PostgreSQL on port ${port}`);
  };
  const halt = async () => {
    if (existsSync(join(data, "postmaster.pid"))) run(pgCtl, ["-D", data, "-m", "fast", "-w", "stop"], user);
  };
  await start();
  runningClusters.set(data, user);
  let stopped = false;
  const url = `postgres://postgres@127.0.0.1:${port}/postgres`;
  const databases = new Set<string>();
  return {
    port,
    dir,
    url,
    async database(name) {
      if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new Error(`not a simple database name: ${name}`);
      if (!databases.has(name)) {
        run(join(POSTGRES_BIN, "psql"), [url, "-qAtc", `CREATE DATABASE ${name}`], undefined);
        databases.add(name);
      }
      return `postgres://postgres@127.0.0.1:${port}/${name}`;
    },
    restart: async () => {
      run(pgCtl, ["-D", data, "-l", log, "-m", "fast", "-w", "-t", "30", "-o", options, "restart"], user);
      await until(() => canConnect(port), `PostgreSQL on port ${port}`);
    },
    halt,
    start,
    async stop() {
      if (stopped) return;
      stopped = true;
      await halt();
      runningClusters.delete(data);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A running PgBouncer. */
export interface TestPgBouncer {
  port: number;
  /** A URL for database `postgres` through PgBouncer. */
  url: string;
  stop(): Promise<void>;
}

/**
 * Starts PgBouncer on a free loopback port in front of `postgres`, pooling database `postgres` in `poolMode`
 * (`transaction` by default: the mode Switchboard must refuse). Trust authentication, loopback only.
 */
export async function startPgBouncer(
  postgres: TestPostgres,
  options: { poolMode?: "session" | "transaction" | "statement"; ignoreStartupParameters?: string[] } = {},
): Promise<TestPgBouncer> {
  const binary = requireBinary("pgbouncer");
  const user = serverUser();
  const dir = ownedFolder("switchboard-pgbouncer-", user);
  const port = await freePort();
  const config = join(dir, "pgbouncer.ini");
  const users = join(dir, "userlist.txt");
  writeFileSync(users, '"postgres" ""\n');
  writeFileSync(
    config,
    [
      "[databases]",
      `postgres = host=127.0.0.1 port=${postgres.port} dbname=postgres`,
      "[pgbouncer]",
      "listen_addr = 127.0.0.1",
      `listen_port = ${port}`,
      "unix_socket_dir =",
      "auth_type = trust",
      `auth_file = ${users}`,
      `pool_mode = ${options.poolMode ?? "transaction"}`,
      "default_pool_size = 2",
      `logfile = ${join(dir, "pgbouncer.log")}`,
      ...(options.ignoreStartupParameters
        ? [`ignore_startup_parameters = ${options.ignoreStartupParameters.join(",")}`]
        : []),
      "",
    ].join("\n"),
  );
  if (user) {
    chownSync(config, user.uid, user.gid);
    chownSync(users, user.uid, user.gid);
  }
  const child: ChildProcess = spawn(binary, [config], { stdio: "ignore", ...(user ?? {}) });
  const exited = new Promise<never>((_, reject) =>
    child.once("exit", (code) => reject(new Error(`pgbouncer exited (${code}); see ${dir}/pgbouncer.log`))),
  );
  exited.catch(() => {});
  await Promise.race([until(() => canConnect(port), `PgBouncer on port ${port}`), exited]);
  return {
    port,
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        const gone = new Promise<void>((resolve) => child.once("exit", () => resolve()));
        child.kill("SIGTERM");
        await gone;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
