/**
 * The PostgreSQL schema and its migrations: run once, under a transaction-level advisory lock, however many
 * instances start at the same moment.
 * @module
 */
import type { ClientBase, Pool, PoolClient } from "pg";
import { APPROVAL_ROWS_SQL } from "./approval-rows-schema.js";
import { CHECKPOINTS_MIGRATION_SQL } from "./checkpoint-table.js";
import { KV_CHANGES_SQL } from "./kv-changes-schema.js";

/** One step of the schema: `sql` takes the database from `version - 1` to `version`. */
interface Migration {
  version: number;
  sql: string;
}

/**
 * The advisory lock key the migrations hold (transaction-level: released at COMMIT/ROLLBACK, so a pooler or a
 * dropped connection cannot leave it held). The bytes of "sbmigrat" as a signed 64-bit integer.
 */
export const MIGRATION_LOCK_KEY = "7161955390017103220";

/** The schema version that adds `audit_checkpoints` (checkpoints signed before it were kept in files only). */
export const CHECKPOINTS_SCHEMA_VERSION = 6;

/**
 * The schema, as an ordered list of migrations. Never edit a released migration: append a new one.
 *
 * Version 1:
 * - `kv`, `locks`: the {@link Store} (plugin data as `jsonb`-free text JSON, so values read back byte-for-byte;
 *   job locks with DB-time expiry and the instance that took them).
 * - `audit` + `audit_head`: the hash-chained log. `body` is the entry's canonical JSON (with `hash` last) and is
 *   authoritative; other columns copy its fields for indexing. `audit_head` is one row holding the last seq and
 *   hash; `audit_append` locks it (FOR UPDATE), chains, hashes with `sha256()` and inserts, in one round trip.
 *   Triggers refuse UPDATE and DELETE on `audit`.
 * - `leases`: exclusive resources with fencing tokens (DB time only).
 * - `instances`: heartbeats of running instances.
 * - `inbound`: one row per claimed message (network, message id); it doubles as the job row (instance, job id,
 *   status `running` / `done` / `abandoned`).
 * - `webhook_deliveries`: delivery ids already taken.
 *
 * Version 3:
 * - `database_identity`: one row, the database's id, made with it (checkpoint files are named after it).
 *
 * Version 2:
 * - `claims`: the latest claimed occurrence of each recurring thing (a schedule's due time, ms since the epoch) and
 *   who claimed it: one conditional upsert, so two instances cannot both claim it.
 *
 * Version 4 (approvals as rows, see approval-rows-schema.ts):
 * - `approval_jobs`, `approval_votes`: jobs waiting for approval and their votes, readable by every instance.
 *
 * Version 5 (adapter state, for Matrix failover):
 * - `adapter_state`: state that follows a leased connection to whichever instance holds it (Matrix: the session and
 *   the snapshot of the crypto and sync stores), one row per (lease resource, name). `sealed` is AES-256-GCM under a
 *   key from the environment (never in the database); `token` is the fencing token of the lease it was written under,
 *   and a write names its token and commits only while that lease is held, never over a row of a newer token. The
 *   row `('', 'key-check')` seals a constant, so an instance with another key refuses to start.
 *
 * Version 6:
 * - `audit_checkpoints`: signed checkpoints of every instance, append-only (see checkpoint-table.ts).
 *
 * Version 7 (store changes, see kv-changes-schema.ts):
 * - `kv_watched` and a trigger on `kv`: a write to a namespace some instance watches sends a NOTIFY in its own
 *   transaction (runtime role grants: every instance follows them).
 */
const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    sql: `
      CREATE TABLE kv (
        namespace text NOT NULL,
        key text NOT NULL,
        value text NOT NULL,
        PRIMARY KEY (namespace, key)
      );

      CREATE TABLE locks (
        name text PRIMARY KEY,
        owner text NOT NULL,
        reason text NOT NULL,
        instance text,
        acquired_at timestamptz NOT NULL,
        expires_at timestamptz NOT NULL
      );

      CREATE TABLE audit (
        seq bigint PRIMARY KEY,
        time text NOT NULL,
        event text NOT NULL,
        job_id text,
        actor text,
        command text,
        outcome text,
        prev_hash text NOT NULL,
        hash text NOT NULL,
        body text NOT NULL
      );
      CREATE INDEX audit_actor ON audit (actor) WHERE actor IS NOT NULL;
      CREATE INDEX audit_command ON audit (command) WHERE command IS NOT NULL;
      CREATE INDEX audit_outcome ON audit (outcome) WHERE outcome IS NOT NULL;
      CREATE INDEX audit_event ON audit (event);
      CREATE INDEX audit_job_id ON audit (job_id) WHERE job_id IS NOT NULL;

      CREATE TABLE audit_head (
        id boolean PRIMARY KEY DEFAULT true CHECK (id),
        seq bigint NOT NULL,
        hash text NOT NULL
      );
      INSERT INTO audit_head (id, seq, hash) VALUES (true, 0, repeat('0', 64));

      CREATE FUNCTION audit_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION 'the audit log is append-only: entries cannot be %', lower(TG_OP) || 'd';
      END $$;
      CREATE TRIGGER audit_no_update BEFORE UPDATE OR DELETE ON audit
        FOR EACH ROW EXECUTE FUNCTION audit_refuse_change();

      -- Chains and stores a batch in one round trip. Element i of "before" is an entry's canonical JSON up to the
      -- "prevHash" key, element i of "middle" the text between the prevHash value and the "seq" key (canonical keys
      -- are sorted: ... prevHash, room, rule, seq, time). The function fills in prevHash, seq and the time (DB
      -- clock, once per batch, after the head is locked), hashes with sha256() and appends the hash, exactly as
      -- core's chainRecords does, so Node's verifyChain checks the same bytes.
      CREATE FUNCTION audit_append(before text[], middle text[], event text[], job_id text[], actor text[],
                                   command text[], outcome text[])
      RETURNS TABLE (seq bigint, prev_hash text, hash text, "time" text) LANGUAGE plpgsql AS $$
      DECLARE
        head_seq bigint;
        head_hash text;
        now_text text;
        canonical text;
        h text;
        i int;
      BEGIN
        SELECT a.seq, a.hash INTO head_seq, head_hash FROM audit_head a WHERE a.id FOR UPDATE;
        now_text := to_char(clock_timestamp() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"');
        FOR i IN 1 .. coalesce(array_length(event, 1), 0) LOOP
          head_seq := head_seq + 1;
          canonical := before[i] || '"prevHash":"' || head_hash || '"' || middle[i]
                       || '"seq":' || head_seq::text || ',"time":"' || now_text || '"}';
          h := encode(sha256(convert_to(canonical, 'UTF8')), 'hex');
          INSERT INTO audit (seq, time, event, job_id, actor, command, outcome, prev_hash, hash, body)
          VALUES (head_seq, now_text, event[i], job_id[i], actor[i], command[i], outcome[i], head_hash, h,
                  left(canonical, -1) || ',"hash":"' || h || '"}');
          seq := head_seq;
          prev_hash := head_hash;
          hash := h;
          "time" := now_text;
          head_hash := h;
          RETURN NEXT;
        END LOOP;
        UPDATE audit_head a SET seq = head_seq, hash = head_hash WHERE a.id;
      END $$;

      -- Exactly-once intake: claims (network, message id) and appends the records in the same transaction, in one
      -- round trip. Returns no rows, and writes nothing, when another instance claimed the message first.
      CREATE FUNCTION intake_claim_append(claim_network text, claim_message_id text, claim_instance text,
                                          claim_job_id text, claim_room text, claim_status text, before text[], middle text[],
                                          event text[], job_id text[], actor text[], command text[], outcome text[])
      RETURNS TABLE (seq bigint, prev_hash text, hash text, "time" text) LANGUAGE plpgsql AS $$
      BEGIN
        INSERT INTO inbound (network, message_id, instance, job_id, network_room, status)
        VALUES (claim_network, claim_message_id, claim_instance, claim_job_id, claim_room, claim_status)
        ON CONFLICT DO NOTHING;
        IF NOT FOUND THEN
          RETURN;
        END IF;
        RETURN QUERY SELECT * FROM audit_append(before, middle, event, job_id, actor, command, outcome);
      END $$;

      CREATE TABLE leases (
        resource text PRIMARY KEY,
        holder text NOT NULL,
        token bigint NOT NULL,
        acquired_at timestamptz NOT NULL,
        expires_at timestamptz NOT NULL
      );

      CREATE TABLE instances (
        id text PRIMARY KEY,
        started_at timestamptz NOT NULL,
        heartbeat_at timestamptz NOT NULL,
        stopped boolean NOT NULL DEFAULT false
      );

      CREATE TABLE inbound (
        network text NOT NULL,
        message_id text NOT NULL,
        instance text NOT NULL,
        job_id text,
        network_room text,
        status text NOT NULL DEFAULT 'running' CHECK (status IN ('running', 'done', 'abandoned')),
        claimed_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (network, message_id)
      );
      CREATE INDEX inbound_running ON inbound (instance) WHERE status = 'running';
      CREATE INDEX inbound_job ON inbound (job_id) WHERE job_id IS NOT NULL;

      CREATE TABLE webhook_deliveries (
        source text NOT NULL,
        delivery_id text NOT NULL,
        instance text NOT NULL,
        received_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (source, delivery_id)
      );
    `,
  },
  {
    version: 2,
    sql: `
      CREATE TABLE claims (
        name text PRIMARY KEY,
        at bigint NOT NULL,
        owner text NOT NULL,
        claimed_at timestamptz NOT NULL DEFAULT now()
      );
    `,
  },
  {
    version: 3,
    sql: `
      CREATE TABLE database_identity (
        id text NOT NULL,
        created_at text NOT NULL,
        adopted boolean NOT NULL
      );
      INSERT INTO database_identity (id, created_at, adopted)
        SELECT md5(random()::text || clock_timestamp()::text),
               to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
               EXISTS (SELECT 1 FROM audit);
      CREATE FUNCTION database_identity_fixed() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN RAISE EXCEPTION 'the database identity cannot be changed'; END $$;
      CREATE TRIGGER database_identity_fixed BEFORE INSERT OR UPDATE OR DELETE ON database_identity
        FOR EACH ROW EXECUTE FUNCTION database_identity_fixed();
    `,
  },
  // Approvals as rows: a separate step (its SQL lives with its code).
  { version: 4, sql: APPROVAL_ROWS_SQL },
  // Adapter state (Matrix failover): sealed rows, written under the lease token.
  {
    version: 5,
    sql: `
      CREATE TABLE adapter_state (
        resource text NOT NULL,
        name text NOT NULL,
        sealed bytea NOT NULL,
        token bigint NOT NULL,
        holder text NOT NULL,
        updated_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (resource, name)
      );
    `,
  },
  { version: CHECKPOINTS_SCHEMA_VERSION, sql: CHECKPOINTS_MIGRATION_SQL },
  // Store changes: a write to a watched namespace notifies in its transaction (its SQL lives with its code).
  { version: 7, sql: KV_CHANGES_SQL },
];

/** Who a database is: an id made with it (version 3), which names its checkpoint files. */
export interface DatabaseIdentity {
  /** 32 hex digits, random, made when the schema was created. */
  id: string;
  /** ISO-8601 time the id was made. */
  createdAt: string;
  /** True when the id was added to a database that already had audit entries. */
  adopted: boolean;
}

/** Reads the database's identity. */
export async function databaseIdentity(client: ClientBase | Pool): Promise<DatabaseIdentity> {
  const { rows } = await client.query<{ id: string; created_at: string; adopted: boolean }>(
    "SELECT id, created_at, adopted FROM database_identity",
  );
  const row = rows[0]!;
  return { id: row.id, createdAt: row.created_at, adopted: row.adopted };
}

/** The schema version this package writes. */
export const SCHEMA_VERSION = MIGRATIONS.at(-1)!.version;

/** What {@link migrate} did. */
export interface MigrationResult {
  /** The version before. */
  from: number;
  /** The version after ({@link SCHEMA_VERSION}). */
  to: number;
  /** The versions this call applied (empty when another instance had already done it). */
  applied: number[];
}

async function currentVersion(client: PoolClient): Promise<number> {
  const exists = await client.query<{ found: boolean }>(
    "SELECT to_regclass('switchboard_schema_version') IS NOT NULL AS found",
  );
  if (!exists.rows[0]!.found) return 0;
  const row = await client.query<{ version: number | null }>(
    "SELECT max(version)::int AS version FROM switchboard_schema_version",
  );
  return row.rows[0]!.version ?? 0;
}

/**
 * Brings the schema up to date, in one transaction holding `pg_advisory_xact_lock`: when several instances start at
 * once, one migrates and the others wait for its COMMIT, re-read the version and find nothing to do.
 *
 * @throws When the database's schema is newer than {@link SCHEMA_VERSION}.
 */
export async function migrate(client: PoolClient): Promise<MigrationResult> {
  await client.query("BEGIN");
  try {
    await client.query("SELECT pg_advisory_xact_lock($1::bigint)", [MIGRATION_LOCK_KEY]);
    await client.query(
      "CREATE TABLE IF NOT EXISTS switchboard_schema_version (version int PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())",
    );
    const from = await currentVersion(client);
    if (from > SCHEMA_VERSION)
      throw new Error(
        `this database has schema version ${from}, newer than the ${SCHEMA_VERSION} this @switchboard/store-postgres understands; upgrade Switchboard`,
      );
    const applied: number[] = [];
    for (const migration of MIGRATIONS) {
      if (migration.version <= from) continue;
      await client.query(migration.sql);
      await client.query("INSERT INTO switchboard_schema_version (version) VALUES ($1)", [migration.version]);
      applied.push(migration.version);
    }
    await client.query("COMMIT");
    return { from, to: SCHEMA_VERSION, applied };
  } catch (error) {
    await client.query("ROLLBACK").catch(() => {});
    throw error;
  }
}
