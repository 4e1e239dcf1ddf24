/**
 * Leases with fencing tokens: one holder per exclusive resource (`irc:<network>`, `matrix:<account>`,
 * `audit-head`, `scheduler`, a poller), on the database's clock only. The leader renews; it fences itself (stops
 * acting) before the TTL can have run out, measured on its own monotonic clock from when it sent its last confirmed
 * renewal; it releases and NOTIFYs on shutdown, so a standby (woken by LISTEN, otherwise polling with jitter) takes
 * over at once. Writes on behalf of a lease check its token in the same transaction ({@link LeaseElector.withLease}).
 * @module
 */
import { performance } from "node:perf_hooks";
import type pg from "pg";
import type { LeaseListener } from "./lease-listener.js";

/** The NOTIFY channel on which released leases are announced (payload: the resource). */
export const LEASE_CHANNEL = "switchboard_leases";

/** A held lease. */
export interface Lease {
  resource: string;
  holder: string;
  /** The fencing token: grows by one with every change of holder (and every re-acquisition). */
  token: number;
  /** Aborted when the lease is lost, fenced or released. */
  signal: AbortSignal;
}

/** Options for {@link LeaseElector}. */
export interface LeaseElectorOptions {
  pool: pg.Pool;
  /** The resource name (`irc:libera`, `audit-head`, …). */
  resource: string;
  /** This instance's id. */
  holder: string;
  /** Lease length, on the database's clock. Default 10,000 ms. */
  ttlMs?: number;
  /** How often the leader renews. Default TTL / 5. */
  renewEveryMs?: number;
  /** How long before the TTL ends (since the last confirmed renewal was sent) the leader fences itself. Default TTL / 5. */
  fenceMarginMs?: number;
  /** How often a standby tries to take the lease, ± {@link LeaseElectorOptions.jitter}. Default 2,000 ms. */
  pollEveryMs?: number;
  /** Relative jitter on polling (0.25 = ±25 %). Default 0.25. */
  jitter?: number;
  /** Wakes a standby at once when a lease is released (LISTEN on a dedicated connection). */
  listener?: LeaseListener;
  /** Called when this instance becomes the leader. A rejection releases the lease. */
  onLead?: (lease: Lease) => void | Promise<void>;
  /** Called when leadership ends: `lost` (renewal matched nothing), `fenced` (no renewal confirmed in time), `released`. */
  onLose?: (lease: Lease, reason: "lost" | "fenced" | "released") => void | Promise<void>;
  /** Database errors while renewing or polling (they do not end leadership by themselves: the lease outlives a DB restart). */
  onError?: (error: unknown) => void;
}

/** Thrown by {@link LeaseElector.withLease} when the lease is not held (anymore). */
export class LeaseLostError extends Error {
  override name = "LeaseLostError";
}

const ACQUIRE = `
  INSERT INTO leases AS l (resource, holder, token, acquired_at, expires_at)
  VALUES ($1, $2, 1, now(), now() + $3 * interval '1 millisecond')
  ON CONFLICT (resource) DO UPDATE SET
    holder = excluded.holder, token = l.token + 1, acquired_at = now(), expires_at = excluded.expires_at
  WHERE l.expires_at <= now()
  RETURNING token`;

const RENEW = `
  UPDATE leases SET expires_at = now() + $4 * interval '1 millisecond'
  WHERE resource = $1 AND holder = $2 AND token = $3 AND expires_at > now()`;

/** Expires the lease (keeping its token, so tokens only grow) and wakes the standbys, in one transaction. */
const RELEASE = `
  WITH released AS (
    UPDATE leases SET expires_at = now() - interval '1 millisecond'
    WHERE resource = $1 AND holder = $2 AND token = $3 AND expires_at > now()
    RETURNING resource
  )
  SELECT pg_notify('${LEASE_CHANNEL}', resource) FROM released`;

/** The SQL condition that the lease `$1/$2/$3` (resource, holder, token) is still held, for use inside a write. */
export const LEASE_HELD = `EXISTS (SELECT 1 FROM leases WHERE resource = $1 AND holder = $2 AND token = $3 AND expires_at > now())`;

/**
 * Elects one holder of `resource` among the instances running it. {@link LeaseElector.start} begins as a standby;
 * `onLead` runs when this instance takes the lease, `onLose` when it ends.
 *
 * @example
 * ```ts
 * const elector = new LeaseElector({ pool, resource: "irc:libera", holder: instance, listener,
 *   onLead: () => adapter.start(), onLose: () => adapter.stop() });
 * await elector.start();
 * // …
 * await elector.stop(); // release + NOTIFY: a standby leads at once
 * ```
 */
export class LeaseElector {
  readonly resource: string;
  readonly holder: string;
  readonly #options: LeaseElectorOptions;
  readonly #ttlMs: number;
  readonly #renewEveryMs: number;
  readonly #fenceMarginMs: number;
  #lease: (Lease & { controller: AbortController }) | undefined;
  /** performance.now() after which this instance must consider itself fenced. */
  #fenceAt = 0;
  #timer: NodeJS.Timeout | undefined;
  #fenceTimer: NodeJS.Timeout | undefined;
  #running = false;
  #busy: Promise<void> = Promise.resolve();
  #unsubscribe: (() => void) | undefined;

  constructor(options: LeaseElectorOptions) {
    this.#options = options;
    this.resource = options.resource;
    this.holder = options.holder;
    this.#ttlMs = options.ttlMs ?? 10_000;
    this.#renewEveryMs = options.renewEveryMs ?? Math.floor(this.#ttlMs / 5);
    this.#fenceMarginMs = options.fenceMarginMs ?? Math.floor(this.#ttlMs / 5);
    if (!(this.#ttlMs > 0) || !(this.#renewEveryMs > 0) || this.#renewEveryMs >= this.#ttlMs - this.#fenceMarginMs)
      throw new RangeError("lease timings: need 0 < renewEveryMs < ttlMs - fenceMarginMs");
  }

  /** True while this instance holds the lease and its fence deadline (monotonic clock) has not passed. */
  get leading(): boolean {
    return this.#lease !== undefined && performance.now() < this.#fenceAt;
  }

  /** The held lease, if {@link LeaseElector.leading}. */
  get lease(): Lease | undefined {
    return this.leading ? this.#lease : undefined;
  }

  /** Starts electing: tries at once, then as a standby polls (and listens) until it leads. */
  async start(): Promise<void> {
    if (this.#running) return;
    this.#running = true;
    this.#unsubscribe = this.#options.listener?.subscribe(this.resource, () => this.#wake());
    await this.#serial(() => this.#tryAcquire());
    this.#schedule();
  }

  /** Stops electing; a held lease is released (expired at once, with NOTIFY) so a standby takes over now. */
  async stop(): Promise<void> {
    if (!this.#running) return;
    this.#running = false;
    this.#unsubscribe?.();
    clearTimeout(this.#timer);
    await this.#serial(async () => {
      const lease = this.#lease;
      if (!lease) return;
      try {
        await this.#options.pool.query(RELEASE, [lease.resource, lease.holder, lease.token]);
      } catch (error) {
        this.#options.onError?.(error);
      }
      await this.#end("released");
    });
  }

  /**
   * Gives up `lease` if it is still the one held (released with NOTIFY, `onLose` with `released`) but keeps electing:
   * for a holder that cannot use the resource now (its connect failed); it may take the lease again later.
   */
  async resign(lease: Lease): Promise<void> {
    await this.#serial(async () => {
      const held = this.#lease;
      if (!held || held.token !== lease.token) return;
      try {
        await this.#options.pool.query(RELEASE, [held.resource, held.holder, held.token]);
      } catch (error) {
        this.#options.onError?.(error);
      }
      await this.#end("released");
    });
  }

  /**
   * Runs `work` in a transaction that first checks (and share-locks, so it cannot change hands before COMMIT) that
   * this instance still holds the lease with its token. Any write `work` makes commits only if the lease was held.
   *
   * @throws {@link LeaseLostError} when the lease is not held; the transaction is rolled back.
   */
  async withLease<T>(work: (client: pg.PoolClient, lease: Lease) => Promise<T>): Promise<T> {
    const lease = this.lease;
    if (!lease) throw new LeaseLostError(`not the holder of ${this.resource}`);
    const client = await this.#options.pool.connect();
    try {
      await client.query("BEGIN");
      const held = await client.query(
        "SELECT 1 FROM leases WHERE resource = $1 AND holder = $2 AND token = $3 AND expires_at > now() FOR SHARE",
        [lease.resource, lease.holder, lease.token],
      );
      if (held.rowCount === 0) {
        await client.query("ROLLBACK");
        throw new LeaseLostError(`the lease on ${this.resource} (token ${lease.token}) is no longer held`);
      }
      const result = await work(client, lease);
      await client.query("COMMIT");
      return result;
    } catch (error) {
      await client.query("ROLLBACK").catch(() => {});
      throw error;
    } finally {
      client.release();
    }
  }

  /** Runs `step` after the previous one (acquire, renew, release never overlap). */
  #serial(step: () => Promise<void>): Promise<void> {
    const next = this.#busy.then(step, step);
    this.#busy = next.catch(() => {});
    return next;
  }

  #wake(): void {
    if (!this.#running || this.#lease) return;
    void this.#serial(() => this.#tryAcquire());
  }

  #schedule(): void {
    clearTimeout(this.#timer);
    if (!this.#running) return;
    let delay: number;
    if (this.#lease) delay = this.#renewEveryMs;
    else {
      const poll = this.#options.pollEveryMs ?? 2_000;
      const jitter = this.#options.jitter ?? 0.25;
      delay = poll * (1 - jitter + 2 * jitter * Math.random());
    }
    this.#timer = setTimeout(() => {
      void this.#serial(() => (this.#lease ? this.#renew() : this.#tryAcquire())).finally(() => this.#schedule());
    }, delay);
    this.#timer.unref?.();
  }

  #armFence(sentAt: number): void {
    this.#fenceAt = sentAt + this.#ttlMs - this.#fenceMarginMs;
    this.#startFenceTimer();
  }

  /**
   * Fences at {@link #fenceAt}. Not queued behind the renewal in flight: cut off from the database, that one hangs
   * until TCP gives up (long past the TTL), and the standby must find this instance already stopped. Node runs a
   * timer up to a couple of milliseconds before `performance.now()` reaches its due time (whole-millisecond loop
   * clock), so a timer that finds the deadline not yet passed waits out the rest instead of giving up.
   */
  #startFenceTimer(): void {
    clearTimeout(this.#fenceTimer);
    this.#fenceTimer = setTimeout(
      () => {
        if (!this.#lease) return;
        if (performance.now() >= this.#fenceAt) void this.#end("fenced");
        else this.#startFenceTimer();
      },
      Math.max(0, this.#fenceAt - performance.now()),
    );
    this.#fenceTimer.unref?.();
  }

  async #tryAcquire(): Promise<void> {
    if (!this.#running || this.#lease) return;
    const sentAt = performance.now();
    let token: number | undefined;
    try {
      const { rows } = await this.#options.pool.query<{ token: string }>(ACQUIRE, [
        this.resource,
        this.holder,
        this.#ttlMs,
      ]);
      if (rows[0]) token = Number(rows[0].token);
    } catch (error) {
      this.#options.onError?.(error);
      return;
    }
    if (token === undefined) return;
    const controller = new AbortController();
    this.#lease = { resource: this.resource, holder: this.holder, token, signal: controller.signal, controller };
    this.#armFence(sentAt);
    if (!this.#running) return;
    try {
      await this.#options.onLead?.(this.#lease);
    } catch (error) {
      this.#options.onError?.(error);
      await this.#options.pool
        .query(RELEASE, [this.resource, this.holder, token])
        .catch((e: unknown) => this.#options.onError?.(e));
      await this.#end("released");
    }
    this.#schedule();
  }

  async #renew(): Promise<void> {
    const lease = this.#lease;
    if (!lease) return;
    if (performance.now() >= this.#fenceAt) {
      await this.#end("fenced");
      return;
    }
    const sentAt = performance.now();
    try {
      const result = await this.#options.pool.query(RENEW, [lease.resource, lease.holder, lease.token, this.#ttlMs]);
      // Fenced while the renewal was in flight: that lease is over here, whatever the database says.
      if (this.#lease !== lease) return;
      if (result.rowCount === 0) {
        await this.#end("lost");
        return;
      }
      this.#armFence(sentAt);
    } catch (error) {
      // The lease outlives a database restart: keep trying until the fence deadline.
      this.#options.onError?.(error);
    }
  }

  async #end(reason: "lost" | "fenced" | "released"): Promise<void> {
    const lease = this.#lease;
    if (!lease) return;
    this.#lease = undefined;
    this.#fenceAt = 0;
    clearTimeout(this.#fenceTimer);
    lease.controller.abort(new LeaseLostError(`lease on ${lease.resource} ${reason}`));
    try {
      await this.#options.onLose?.(lease, reason);
    } catch (error) {
      this.#options.onError?.(error);
    }
    this.#schedule();
  }
}

/** Who holds which lease now (database time), for status answers. */
export async function leaseHolders(
  pool: pg.Pool,
): Promise<Array<{ resource: string; holder: string; token: number; expiresAt: Date }>> {
  const { rows } = await pool.query<{ resource: string; holder: string; token: string; expires_at: Date }>(
    "SELECT resource, holder, token, expires_at FROM leases WHERE expires_at > now() ORDER BY resource",
  );
  return rows.map((row) => ({
    resource: row.resource,
    holder: row.holder,
    token: Number(row.token),
    expiresAt: row.expires_at,
  }));
}
