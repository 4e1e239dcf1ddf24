/**
 * State that follows a leased connection to whichever instance holds it (Matrix: the session and the snapshot of the
 * crypto and sync stores, so a standby takes over the same device instead of making a new one). Rows of
 * `adapter_state` are sealed with AES-256-GCM under a key the database never sees (`store.postgres.stateKey`, from
 * the environment), bound to their resource and name; every write names the lease's fencing token and commits only
 * while that lease is held (share-locking the lease row, so it cannot change hands before COMMIT) and never over a row
 * written under a newer token.
 * @module
 */
import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";
import type { AdapterStateStore } from "@switchboard/core";
import type pg from "pg";
import { type Lease, LeaseLostError } from "./lease-elector.js";

/** The first byte of a sealed value: the format (AES-256-GCM, 12-byte nonce, 16-byte tag, then the ciphertext). */
const FORMAT = 1;
const NONCE = 12;
const TAG = 16;
/** The key-check row: a constant sealed with the key, so an instance with another key refuses to start. */
const CHECK = { resource: "", name: "key-check", text: "switchboard adapter_state key check" };

/** The state key is missing, malformed, or not the one the database's state was sealed with. */
export class StateKeyError extends Error {
  override name = "StateKeyError";
}

/** A write refused because a newer holder of the lease has written since (this instance is a stale leader). */
export class StaleStateError extends LeaseLostError {
  override name = "StaleStateError";
}

/**
 * Reads the state key: 32 random bytes as base64 (`openssl rand -base64 32`) or 64 hex digits. The message of a
 * refusal never contains the value.
 *
 * @param setting - what the key is called, for the error (`store.postgres.stateKey`).
 * @throws {@link StateKeyError} when it is missing or not 32 bytes.
 */
export function parseStateKey(text: string | undefined, setting: string): Buffer {
  const value = text?.trim() ?? "";
  if (!value)
    throw new StateKeyError(
      `${setting} is not set: it seals the Matrix session and encryption keys kept in PostgreSQL; make one with \`openssl rand -base64 32\` and give every instance the same (e.g. \${SWITCHBOARD_STATE_KEY})`,
    );
  let key: Buffer | undefined;
  if (/^[0-9a-fA-F]{64}$/.test(value)) key = Buffer.from(value, "hex");
  else if (/^[A-Za-z0-9+/]{43}=?$/.test(value)) key = Buffer.from(value, "base64");
  if (key?.length !== 32)
    throw new StateKeyError(
      `${setting} is not a key: it must be 32 random bytes as base64 (44 characters, \`openssl rand -base64 32\`) or 64 hex digits`,
    );
  return key;
}

function aad(resource: string, name: string): Buffer {
  return Buffer.from(`switchboard adapter_state\0${resource}\0${name}`, "utf8");
}

/** Seals `plain` for the row (`resource`, `name`) with a fresh nonce. */
export function seal(key: Buffer, resource: string, name: string, plain: Uint8Array): Buffer {
  const nonce = randomBytes(NONCE);
  const cipher = createCipheriv("aes-256-gcm", key, nonce, { authTagLength: TAG });
  cipher.setAAD(aad(resource, name));
  const body = Buffer.concat([cipher.update(plain), cipher.final()]);
  return Buffer.concat([Buffer.from([FORMAT]), nonce, cipher.getAuthTag(), body]);
}

/**
 * Opens a sealed row.
 *
 * @throws {@link StateKeyError} when the key is not the one it was sealed with, or the row was altered or moved.
 */
export function unseal(key: Buffer, resource: string, name: string, sealed: Buffer): Buffer {
  if (sealed.length < 1 + NONCE + TAG || sealed[0] !== FORMAT)
    throw new StateKeyError(`the kept state ${resource}/${name} is not in a format this version reads`);
  const decipher = createDecipheriv("aes-256-gcm", key, sealed.subarray(1, 1 + NONCE), { authTagLength: TAG });
  decipher.setAAD(aad(resource, name));
  decipher.setAuthTag(sealed.subarray(1 + NONCE, 1 + NONCE + TAG));
  try {
    return Buffer.concat([decipher.update(sealed.subarray(1 + NONCE + TAG)), decipher.final()]);
  } catch {
    throw new StateKeyError(
      `the kept state ${resource}/${name} cannot be opened: the state key is not the one it was sealed with, or the row was altered`,
    );
  }
}

/**
 * Checks the key against the database's key-check row (made by the first instance to start with a key), so that an
 * instance given another key refuses to start instead of failing at its first failover.
 *
 * @throws {@link StateKeyError} when the key differs from the one the database's state is sealed with.
 */
export async function checkStateKey(pool: pg.Pool, key: Buffer, setting: string): Promise<void> {
  await pool.query(
    `INSERT INTO adapter_state (resource, name, sealed, token, holder) VALUES ($1, $2, $3, 0, '')
     ON CONFLICT DO NOTHING`,
    [CHECK.resource, CHECK.name, seal(key, CHECK.resource, CHECK.name, Buffer.from(CHECK.text))],
  );
  const { rows } = await pool.query<{ sealed: Buffer }>(
    "SELECT sealed FROM adapter_state WHERE resource = $1 AND name = $2",
    [CHECK.resource, CHECK.name],
  );
  let text: string;
  try {
    text = unseal(key, CHECK.resource, CHECK.name, rows[0]!.sealed).toString("utf8");
  } catch {
    text = "";
  }
  if (text !== CHECK.text)
    throw new StateKeyError(
      `${setting} is not the key this database's adapter state is sealed with: every instance needs the same key`,
    );
}

/** Puts a row if the lease `$1/$4/$5` is held (share-locked until COMMIT) and no newer token wrote it. */
const WRITE = `
  WITH held AS (
    SELECT token FROM leases WHERE resource = $1 AND holder = $4 AND token = $5 AND expires_at > now() FOR SHARE
  ), put AS (
    INSERT INTO adapter_state AS s (resource, name, sealed, token, holder, updated_at)
    SELECT $1, $2, $3, held.token, $4, now() FROM held
    ON CONFLICT (resource, name) DO UPDATE
      SET sealed = excluded.sealed, token = excluded.token, holder = excluded.holder, updated_at = now()
      WHERE s.token <= excluded.token
    RETURNING 1
  )
  SELECT (SELECT count(*) FROM held)::int AS held, (SELECT count(*) FROM put)::int AS done`;

/** Deletes a row under the same conditions as {@link WRITE}. */
const REMOVE = `
  WITH held AS (
    SELECT token FROM leases WHERE resource = $1 AND holder = $3 AND token = $4 AND expires_at > now() FOR SHARE
  ), gone AS (
    DELETE FROM adapter_state s USING held WHERE s.resource = $1 AND s.name = $2 AND s.token <= held.token
    RETURNING 1
  ), newer AS (
    SELECT 1 FROM adapter_state s, held WHERE s.resource = $1 AND s.name = $2 AND s.token > held.token
  )
  SELECT (SELECT count(*) FROM held)::int AS held, (SELECT count(*) FROM newer)::int AS newer`;

/** Options for {@link LeasedState}. */
export interface LeasedStateOptions {
  pool: pg.Pool;
  /** The 32-byte key ({@link parseStateKey}). */
  key: Buffer;
  /** The lease this state belongs to (`matrix:<network>`): rows are keyed by it, writes checked against it. */
  resource: string;
  /** This instance's id (the lease's holder). */
  holder: string;
  /** The lease as this instance holds it now (undefined while a standby, or once fenced). */
  lease: () => Lease | undefined;
}

/**
 * An adapter's state in PostgreSQL, sealed and fenced: reads open the rows of `resource`; writes commit only while
 * this instance holds the lease on `resource`, with the token it holds it under.
 */
export class LeasedState implements AdapterStateStore {
  readonly where: string;
  readonly #options: LeasedStateOptions;

  constructor(options: LeasedStateOptions) {
    this.#options = options;
    this.where = `PostgreSQL (adapter_state ${options.resource}, sealed)`;
  }

  async read(name: string): Promise<Uint8Array | undefined> {
    const { pool, key, resource } = this.#options;
    const { rows } = await pool.query<{ sealed: Buffer }>(
      "SELECT sealed FROM adapter_state WHERE resource = $1 AND name = $2",
      [resource, name],
    );
    return rows[0] ? unseal(key, resource, name, rows[0].sealed) : undefined;
  }

  async write(name: string, value: Uint8Array): Promise<void> {
    const { pool, key, resource, holder } = this.#options;
    const lease = this.#held();
    const sealed = seal(key, resource, name, value);
    const { rows } = await pool.query<{ held: number; done: number }>(WRITE, [
      resource,
      name,
      sealed,
      holder,
      lease.token,
    ]);
    this.#refuseUnless(rows[0]!.held > 0, rows[0]!.done > 0, lease, name);
  }

  async remove(name: string): Promise<void> {
    const { pool, resource, holder } = this.#options;
    const lease = this.#held();
    const { rows } = await pool.query<{ held: number; newer: number }>(REMOVE, [resource, name, holder, lease.token]);
    this.#refuseUnless(rows[0]!.held > 0, rows[0]!.newer === 0, lease, name);
  }

  #held(): Lease {
    const lease = this.#options.lease();
    if (!lease)
      throw new LeaseLostError(`this instance does not hold ${this.#options.resource}: its state is not written`);
    return lease;
  }

  #refuseUnless(held: boolean, done: boolean, lease: Lease, name: string): void {
    const { resource } = this.#options;
    if (!held)
      throw new LeaseLostError(
        `refused to write ${resource}/${name}: the lease (token ${lease.token}) is no longer held by this instance`,
      );
    if (!done)
      throw new StaleStateError(
        `refused to write ${resource}/${name}: a newer holder of the lease wrote it after token ${lease.token}`,
      );
  }
}
