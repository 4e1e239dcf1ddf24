/**
 * An adapter whose connection only the lease holder opens: for networks with one connection per bot (IRC: one nick;
 * Matrix: one device). Every instance runs the wrapper; the instance holding `irc:<network>` starts the real
 * adapter, the others wait as standbys and take over when the lease comes free (at once after a clean shutdown,
 * after the TTL after a crash). The connection is opened beside the election, not inside it: a slow connect (a Matrix
 * login and first sync) never holds up the renewals, so the lease cannot run out while connecting.
 * @module
 */
import type {
  Adapter,
  AdapterCapabilities,
  AdapterHost,
  OutgoingMessage,
  ReplyTarget,
  Room,
  SentMessage,
  TrustReset,
} from "@switchboard/core";
import { type Lease, LeaseElector, type LeaseElectorOptions } from "./lease-elector.js";

/** Options for {@link LeasedAdapter}: the elector's, without the callbacks (the wrapper owns them). */
export type LeasedAdapterOptions = Omit<LeaseElectorOptions, "resource" | "onLead" | "onLose"> & {
  /** The lease's resource. Default `<adapter type prefix>:<network>`, e.g. `irc:libera` when given `prefix: "irc"`. */
  resource?: string;
  /** Prefix of the default resource name. Default `adapter`. */
  prefix?: string;
};

/** Thrown by a standby asked to send: only the leader has the connection. */
export class StandbyError extends Error {
  override name = "StandbyError";
}

/**
 * Wraps `inner` so that it is started only while this instance holds the lease on its network, and stopped (the
 * connection closed) as soon as the lease is lost, fenced or released.
 */
export class LeasedAdapter implements Adapter {
  readonly network: string;
  readonly capabilities: AdapterCapabilities;
  readonly staleAfterMs?: number;
  readonly elector: LeaseElector;
  readonly #inner: Adapter;
  #host: AdapterHost | undefined;
  #running = false;
  /** The connect under way (or done) for the current lease: settles true when the inner adapter started. */
  #starting: Promise<boolean> | undefined;

  constructor(inner: Adapter, options: LeasedAdapterOptions) {
    this.#inner = inner;
    this.network = inner.network;
    this.capabilities = inner.capabilities;
    if (inner.staleAfterMs !== undefined) this.staleAfterMs = inner.staleAfterMs;
    const resource = options.resource ?? `${options.prefix ?? "adapter"}:${inner.network}`;
    this.elector = new LeaseElector({
      ...options,
      resource,
      onLead: (lease) => this.#lead(lease),
      onLose: (lease, reason) => this.#lose(lease, reason),
    });
  }

  // Every optional method is forwarded to the connection; core calls one only when the inner adapter's capability
  // flag (copied above) says it can.
  async edit(sent: SentMessage, message: OutgoingMessage): Promise<void> {
    return this.#leader().edit!(sent, message);
  }

  // biome-ignore lint/suspicious/noConfusingVoidType: the inner adapter may return nothing
  async sendDirect(userId: string, message: OutgoingMessage): Promise<SentMessage | undefined | void> {
    return this.#leader().sendDirect!(userId, message);
  }

  async leave(room: Room): Promise<void> {
    return this.#leader().leave!(room);
  }

  async resetTrust(userId: string): Promise<TrustReset> {
    return this.#leader().resetTrust!(userId);
  }

  /** Whether this instance holds the connection now. */
  get leading(): boolean {
    return this.#running && this.elector.leading;
  }

  /** Joins the election; resolves once this instance leads (connection started) or waits as a standby. */
  async start(host: AdapterHost): Promise<void> {
    this.#host = host;
    host.status({
      connected: false,
      detail: `standby: another instance holds ${this.elector.resource}`,
      lease: { resource: this.elector.resource, role: "standby" },
    });
    await this.elector.start();
    await this.#starting;
  }

  /**
   * Closes the connection first (an IRC QUIT frees the nick; Matrix saves its crypto store under the lease), then
   * releases the lease: a standby that takes over at once finds the nick free and the newest state.
   */
  async stop(): Promise<void> {
    await this.#disconnect();
    await this.elector.stop();
  }

  /** Waits for a connect under way, then closes the connection if it was opened. */
  async #disconnect(): Promise<void> {
    const starting = this.#starting;
    this.#starting = undefined;
    this.#running = false;
    if (starting && (await starting)) await this.#inner.stop();
  }

  // biome-ignore lint/suspicious/noConfusingVoidType: the inner adapter may return nothing
  async send(target: ReplyTarget, message: OutgoingMessage): Promise<SentMessage | undefined | void> {
    return this.#leader().send(target, message);
  }

  #leader(): Adapter {
    if (!this.leading)
      throw new StandbyError(
        `${this.network}: this instance is a standby; the holder of ${this.elector.resource} sends`,
      );
    return this.#inner;
  }

  async #lead(held: Lease): Promise<void> {
    const host = this.#host;
    if (!host) return;
    host.logger.info({ resource: held.resource, token: held.token }, "took the lease: connecting");
    // The connection's own status reports carry the lease: this instance leads.
    const lease = { resource: held.resource, role: "leader" as const };
    // Every message this connection receives carries the term it was opened under (this lease's token, not whatever
    // is held when the message is claimed): its claim is refused once the term has ended, even if this instance
    // holds the lease again by then under a newer token (a newer connection), so a message received before a
    // partition never runs after the standby took over.
    const term = { resource: held.resource, holder: held.holder, token: held.token };
    const starting = this.#inner
      .start({
        ...host,
        status: (status) => host.status({ ...status, lease }),
        receive: (message, options) => host.receive({ ...message, lease: term }, options),
      })
      .then(
        () => {
          if (this.#starting === starting && !held.signal.aborted) this.#running = true;
          return true;
        },
        async (err: unknown) => {
          host.logger.error({ err, resource: held.resource }, "could not connect: giving the lease up");
          if (this.#starting === starting) {
            this.#starting = undefined;
            // Not awaited: resigning runs after the election step under way, which may be waiting for this connect.
            void this.elector.resign(held);
          }
          return false;
        },
      );
    this.#starting = starting;
  }

  async #lose(lease: Lease, reason: string): Promise<void> {
    this.#host?.logger.warn({ resource: lease.resource, token: lease.token, reason }, "lease ended: disconnecting");
    await this.#disconnect();
    this.#host?.status({
      connected: false,
      detail: `standby: lease ${reason}`,
      lease: { resource: lease.resource, role: "standby" },
    });
  }
}
