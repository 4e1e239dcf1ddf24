/**
 * Socket Mode: one `SocketModeClient` connection at a time, every envelope acknowledged at once (Slack redelivers
 * what is not acknowledged within 3 seconds), then handed on. On a `disconnect` message (`warning`,
 * `refresh_requested`, `link_disabled`) a new connection is opened right away; after a drop, reconnects back off
 * exponentially with jitter. The library's own reconnect is off, so a failed reconnect is retried here and never
 * becomes an unhandled rejection.
 * @module
 */

import type { SocketModeClient } from "@slack/socket-mode";
import { type AdapterStatus, backoffDelay, type Logger } from "@switchboard/core";
import { type Delivery, type DeliveryKind, obj, str } from "./payloads.js";
import type { SlackOptions } from "./slack-adapter.js";
import type { SlackLogger } from "./slack-logger.js";

/** The library's client class (imported lazily by the adapter). */
export type SocketModeClientClass = typeof SocketModeClient;

/** What the connection reports to. */
export interface SocketConnectionDeps {
  options: SlackOptions;
  SocketModeClient: SocketModeClientClass;
  logger: Logger;
  slackLogger: SlackLogger;
  onDelivery(delivery: Delivery): void;
  onStatus(status: AdapterStatus): void;
}

/** How long a new connection may take to say `hello`. */
const helloTimeoutMs = 15_000;
const deliveryKinds = new Set<DeliveryKind>(["events_api", "slash_commands", "interactive"]);

interface EnvelopeArgs {
  ack: (response?: Record<string, unknown>) => Promise<void>;
  envelope_id?: string;
  type?: string;
  body?: unknown;
  retry_num?: number;
}

/** Keeps one Socket Mode connection open. */
export class SocketConnection {
  #current: SocketModeClient | undefined;
  #stopped = false;
  #attempt = 0;
  #timer: NodeJS.Timeout | undefined;
  /** Connections opened so far (for logs and tests). */
  connections = 0;

  constructor(private readonly deps: SocketConnectionDeps) {}

  /** Opens the first connection; throws when that fails (bad app token, Slack unreachable). */
  async start(): Promise<void> {
    this.#stopped = false;
    await this.#connect();
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#timer);
    this.#timer = undefined;
    const client = this.#current;
    this.#current = undefined;
    if (client) await this.#dispose(client);
    this.deps.onStatus({ connected: false, detail: "stopped" });
  }

  async #connect(): Promise<void> {
    const { options } = this.deps;
    const client = new this.deps.SocketModeClient({
      appToken: options.appToken!,
      logger: this.deps.slackLogger as never,
      autoReconnectEnabled: false,
      clientPingTimeout: options.pingTimeout,
      clientOptions: {
        slackApiUrl: options.apiUrl,
        retryConfig: { retries: 2, minTimeout: options.retryDelay, maxTimeout: 10_000 },
      },
    });
    client.on("slack_event", (args: EnvelopeArgs) => this.#onEnvelope(args));
    client.on("ws_message", (data: unknown) => this.#onRaw(client, data));
    let hello: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        client.start(),
        new Promise((_, reject) => {
          hello = setTimeout(() => reject(new Error("no hello from Slack")), helloTimeoutMs);
        }),
      ]);
    } catch (err) {
      void this.#dispose(client);
      throw err;
    } finally {
      clearTimeout(hello);
    }
    if (this.#stopped) {
      void this.#dispose(client);
      return;
    }
    const previous = this.#current;
    this.#current = client;
    this.connections += 1;
    this.#attempt = 0;
    client.on("disconnected", () => this.#onDisconnected(client));
    if (previous) void this.#dispose(previous);
    this.deps.onStatus({ connected: true, detail: "Socket Mode" });
    this.deps.logger.info({ connections: this.connections }, "Slack Socket Mode connected");
  }

  /** Acknowledges an envelope at once, then hands it on. */
  #onEnvelope(args: EnvelopeArgs): void {
    if (args.envelope_id) {
      args.ack().catch((err: unknown) => this.deps.logger.warn({ err }, "could not acknowledge a Slack envelope"));
    }
    const kind = args.type as DeliveryKind;
    const body = obj(args.body);
    if (!deliveryKinds.has(kind) || !body) return;
    this.deps.onDelivery({
      kind,
      body,
      keys: args.envelope_id ? [`envelope:${args.envelope_id}`] : [],
      retry: args.retry_num,
    });
  }

  /** Sees `disconnect` messages (the library closes that socket itself): a new connection is opened at once. */
  #onRaw(client: SocketModeClient, data: unknown): void {
    if (client !== this.#current || this.#stopped) return;
    let message: Record<string, unknown> | undefined;
    try {
      message = obj(JSON.parse(typeof data === "string" ? data : new TextDecoder().decode(data as ArrayBuffer)));
    } catch {
      return;
    }
    if (str(message?.type) !== "disconnect") return;
    const reason = str(message?.reason) ?? "unknown";
    const log = reason === "link_disabled" ? "error" : "info";
    this.deps.logger[log]({ reason }, `Slack asked to reconnect (${reason})`);
    this.#current = undefined;
    void this.#dispose(client);
    this.deps.onStatus({ connected: false, detail: `reconnecting (${reason})` });
    this.#reconnect(0);
  }

  #onDisconnected(client: SocketModeClient): void {
    if (client !== this.#current || this.#stopped) return;
    this.#current = undefined;
    this.deps.logger.warn({}, "Slack Socket Mode connection lost; reconnecting");
    this.deps.onStatus({ connected: false, detail: "connection lost; reconnecting" });
    this.#reconnect();
  }

  /** Schedules a reconnect (after `delayMs`, or the next backoff delay). */
  #reconnect(delayMs?: number): void {
    if (this.#stopped || this.#timer) return;
    this.#attempt += 1;
    const { initialDelay, maxDelay } = this.deps.options.reconnect;
    const delay = delayMs ?? backoffDelay(this.#attempt, { initialDelayMs: initialDelay, maxDelayMs: maxDelay });
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.#connect().catch((err: unknown) => {
        this.deps.logger.warn({ err, attempt: this.#attempt }, "Slack Socket Mode reconnect failed");
        this.deps.onStatus({ connected: false, detail: `reconnect failed: ${(err as Error).message ?? err}` });
        this.#reconnect();
      });
    }, delay);
  }

  /**
   * Closes a client without waiting long (a peer that never finishes the close handshake can't hold us up).
   * Envelopes it still delivers meanwhile are handled (the ledger drops repeats).
   */
  async #dispose(client: SocketModeClient): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      client.disconnect().catch(() => {}),
      new Promise((resolve) => {
        timer = setTimeout(resolve, 2000);
      }),
    ]);
    clearTimeout(timer);
  }
}
