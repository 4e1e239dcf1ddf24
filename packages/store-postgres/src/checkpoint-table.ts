/**
 * Signed audit checkpoints kept in the shared database (`audit_checkpoints`), so that every instance and
 * `switchboard audit verify` on any machine see the checkpoints of every instance. Each instance signs with its own
 * key; the signature, not the table, is what makes a checkpoint worth anything: whoever can write the table can add
 * rows, but not rows that verify under a trusted public key. Deleting rows is possible for such a person; that is
 * why each instance keeps a copy in its own checkpoint file too.
 * @module
 */
import type { AuditCheckpoint } from "@switchboard/core/audit";
import type pg from "pg";

/**
 * The migration that adds the table (appended to the schema's list as its own version). Rows are append-only:
 * triggers refuse UPDATE, DELETE and TRUNCATE (a table owner can turn them off; the signatures still hold).
 */
export const CHECKPOINTS_MIGRATION_SQL = `
  CREATE TABLE audit_checkpoints (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    seq bigint NOT NULL,
    hash text NOT NULL,
    time text NOT NULL,
    key_id text NOT NULL,
    signature text NOT NULL UNIQUE,
    instance text NOT NULL,
    written_at timestamptz NOT NULL DEFAULT now()
  );
  CREATE INDEX audit_checkpoints_seq ON audit_checkpoints (seq);
  CREATE FUNCTION audit_checkpoints_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
  BEGIN
    RAISE EXCEPTION 'audit checkpoints are append-only: they cannot be %', lower(TG_OP) || 'd';
  END $$;
  CREATE TRIGGER audit_checkpoints_no_update BEFORE UPDATE OR DELETE ON audit_checkpoints
    FOR EACH ROW EXECUTE FUNCTION audit_checkpoints_refuse_change();
  CREATE TRIGGER audit_checkpoints_no_truncate BEFORE TRUNCATE ON audit_checkpoints
    FOR EACH STATEMENT EXECUTE FUNCTION audit_checkpoints_refuse_change();
`;

/** A row of `audit_checkpoints` as stored: fields are not checked here (a row may be forged or damaged). */
export interface StoredCheckpoint {
  /** The row's number (insertion order). */
  id: number;
  seq: number;
  hash: string;
  time: string;
  keyId: string;
  signature: string;
  /** The instance that says it wrote the row (unsigned: a hint for people, not evidence). */
  instance: string;
}

/** What {@link CheckpointTable.read} found. */
export interface StoredCheckpoints {
  /** Every row, oldest first, as stored. */
  rows: StoredCheckpoint[];
  /**
   * When the table was made (ISO-8601): checkpoints signed before it were kept in checkpoint files only, so a file's
   * older lines are not expected in the table.
   */
  since: string | undefined;
}

/** The shared checkpoint table of one database, as one instance uses it. */
export class CheckpointTable {
  readonly #db: pg.Pool;
  readonly #instance: string;
  readonly #version: number;

  /** `version`: the schema version whose migration made the table. */
  constructor(db: pg.Pool, instance: string, version: number) {
    this.#db = db;
    this.#instance = instance;
    this.#version = version;
  }

  /** Stores a checkpoint signed by this instance (a second copy of the same signature is ignored). */
  async write(checkpoint: AuditCheckpoint): Promise<void> {
    await this.#db.query(
      `INSERT INTO audit_checkpoints (seq, hash, time, key_id, signature, instance)
       VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (signature) DO NOTHING`,
      [checkpoint.seq, checkpoint.hash, checkpoint.time, checkpoint.keyId, checkpoint.signature, this.#instance],
    );
  }

  /** Every row, oldest first, and when the table was made. */
  async read(): Promise<StoredCheckpoints> {
    const { rows } = await this.#db.query<{
      id: string;
      seq: string;
      hash: string;
      time: string;
      key_id: string;
      signature: string;
      instance: string;
    }>("SELECT id, seq, hash, time, key_id, signature, instance FROM audit_checkpoints ORDER BY id");
    const made = await this.#db.query<{ since: Date }>(
      "SELECT applied_at AS since FROM switchboard_schema_version WHERE version = $1",
      [this.#version],
    );
    return {
      rows: rows.map((row) => ({
        id: Number(row.id),
        seq: Number(row.seq),
        hash: row.hash,
        time: row.time,
        keyId: row.key_id,
        signature: row.signature,
        instance: row.instance,
      })),
      since: made.rows[0]?.since.toISOString(),
    };
  }
}
