/**
 * The Socket Mode side of the fake Slack: single-use `wss` URLs from `apps.connections.open`, `hello` on connect,
 * envelopes (`envelope_id`, `type`, `payload`, `accepts_response_payload`), acknowledgements, redelivery with
 * `retry_attempt` / `retry_reason` when an envelope is not acknowledged in time, `disconnect` messages, and
 * dropped sockets. With several connections (several instances of one app), each envelope goes to one of them:
 * the newest (`routing: "newest"`) or each in turn (`"spread"`, as Slack spreads events over an app's connections);
 * {@link FakeSocketMode.deliverToEach} sends the same event to every connection (a duplicate delivery).
 * @module
 */
import type { Server } from "node:http";
import { type WebSocket, WebSocketServer } from "ws";

/** What Slack sends over the socket. */
export interface Envelope {
  envelope_id: string;
  type: string;
  payload: Record<string, unknown>;
  accepts_response_payload: boolean;
  retry_attempt?: number;
  retry_reason?: string;
}

interface Pending {
  envelope: Envelope;
  timer: NodeJS.Timeout;
}

/** Slack retries an unacknowledged envelope this many times. */
const maxRetries = 3;

export class FakeSocketMode {
  baseUrl = "";
  /** Envelope ids acknowledged by the client, in order. */
  readonly acks: string[] = [];
  /** Envelopes written to a connection, in order (redeliveries included; a queued one once it is written). */
  readonly sent: Envelope[] = [];
  /** Connections accepted so far. */
  connections = 0;
  /** Times {@link FakeSocketMode.drop} was called. */
  drops = 0;
  /** When true, acknowledgements are recorded but ignored (as if lost), so envelopes are redelivered. */
  ignoreAcks = false;
  /** Which connection an envelope goes to: the newest, or each open one in turn. */
  routing: "newest" | "spread" = "newest";
  #turn = 0;
  readonly #wss = new WebSocketServer({ noServer: true });
  readonly #tickets = new Set<string>();
  readonly #sockets = new Set<WebSocket>();
  readonly #pending = new Map<string, Pending>();
  /** Envelopes waiting for a connection. */
  readonly #queued: Envelope[] = [];
  #seq = 0;

  constructor(
    server: Server,
    private readonly redeliverAfterMs: number,
    private readonly changed: () => void,
  ) {
    server.on("upgrade", (req, socket, head) => {
      const url = new URL(req.url ?? "/", "http://x");
      const ticket = url.searchParams.get("ticket") ?? "";
      if (url.pathname !== "/link" || !this.#tickets.delete(ticket)) {
        socket.end("HTTP/1.1 401 Unauthorized\r\n\r\n");
        return;
      }
      this.#wss.handleUpgrade(req, socket, head, (ws) => this.#accept(ws));
    });
  }

  /** A single-use connection URL (what `apps.connections.open` returns). */
  issueUrl(): string {
    const ticket = `t${++this.#seq}`;
    this.#tickets.add(ticket);
    return `${this.baseUrl}/link?ticket=${ticket}`;
  }

  /** Open sockets. */
  get open(): number {
    return this.#sockets.size;
  }

  /** Sends an envelope to the newest connection (or when one opens), redelivering it until acknowledged. */
  deliver(type: string, payload: Record<string, unknown>): Envelope {
    const envelope: Envelope = {
      envelope_id: `env-${++this.#seq}`,
      type,
      payload,
      accepts_response_payload: type !== "events_api",
    };
    this.#send(envelope);
    return envelope;
  }

  /**
   * Sends the same payload to every open connection, each in its own envelope (redelivered until acknowledged):
   * the same event reaching two instances. Returns the envelopes.
   */
  deliverToEach(type: string, payload: Record<string, unknown>): Envelope[] {
    const sockets = [...this.#sockets].filter((ws) => ws.readyState === ws.OPEN);
    return sockets.map((ws) => {
      const envelope: Envelope = {
        envelope_id: `env-${++this.#seq}`,
        type,
        payload,
        accepts_response_payload: type !== "events_api",
      };
      this.#send(envelope, ws);
      return envelope;
    });
  }

  /** Sends exactly the same envelope again (same id), as Slack may after a reconnect. */
  resend(envelope: Envelope): void {
    this.#write(envelope);
  }

  /** Asks every connection to reconnect (`refresh_requested`, `warning`, `link_disabled`), closing it after a while. */
  disconnect(reason: string, closeAfterMs = 1000): void {
    for (const ws of this.#sockets) {
      ws.send(JSON.stringify({ type: "disconnect", reason, debug_info: { host: "fake-slack" } }));
      setTimeout(() => ws.terminate(), closeAfterMs).unref();
    }
  }

  /** Drops every connection without a close frame (a network failure). */
  drop(): void {
    this.drops += 1;
    for (const ws of this.#sockets) ws.terminate();
  }

  close(): void {
    for (const pending of this.#pending.values()) clearTimeout(pending.timer);
    this.#pending.clear();
    this.drop();
    this.#wss.close();
  }

  #accept(ws: WebSocket): void {
    this.#sockets.add(ws);
    this.connections += 1;
    ws.on("close", () => {
      this.#sockets.delete(ws);
      this.changed();
    });
    ws.on("message", (data) => this.#onMessage(data.toString()));
    ws.send(
      JSON.stringify({
        type: "hello",
        num_connections: this.#sockets.size,
        debug_info: { host: "fake-slack", approximate_connection_time: 18060 },
        connection_info: { app_id: "A0APP" },
      }),
    );
    for (const envelope of this.#queued.splice(0)) this.#write(envelope);
    this.changed();
  }

  #onMessage(text: string): void {
    let message: { envelope_id?: unknown };
    try {
      message = JSON.parse(text) as { envelope_id?: unknown };
    } catch {
      return;
    }
    if (typeof message.envelope_id !== "string") return;
    this.acks.push(message.envelope_id);
    if (!this.ignoreAcks) {
      const pending = this.#pending.get(message.envelope_id);
      if (pending) clearTimeout(pending.timer);
      this.#pending.delete(message.envelope_id);
    }
    this.changed();
  }

  #send(envelope: Envelope, to?: WebSocket): void {
    this.#write(envelope, to);
    if ((envelope.retry_attempt ?? 0) >= maxRetries) return;
    const timer = setTimeout(() => {
      this.#pending.delete(envelope.envelope_id);
      // Slack's redelivery: the same payload in a new envelope, counting the attempt.
      this.#send({
        ...envelope,
        envelope_id: `env-${++this.#seq}`,
        retry_attempt: (envelope.retry_attempt ?? 0) + 1,
        retry_reason: "timeout",
      });
    }, this.redeliverAfterMs);
    timer.unref();
    this.#pending.set(envelope.envelope_id, { envelope, timer });
  }

  #write(envelope: Envelope, to?: WebSocket): void {
    const socket = to && to.readyState === to.OPEN ? to : this.#pick();
    if (!socket || socket.readyState !== socket.OPEN) {
      this.#queued.push(envelope);
      return;
    }
    this.sent.push(envelope);
    socket.send(JSON.stringify(envelope));
    this.changed();
  }

  /** The connection the next envelope goes to (see {@link FakeSocketMode.routing}). */
  #pick(): WebSocket | undefined {
    const open = [...this.#sockets].filter((ws) => ws.readyState === ws.OPEN);
    if (this.routing === "newest" || open.length === 0) return open.at(-1);
    this.#turn = (this.#turn + 1) % open.length;
    return open[this.#turn];
  }
}
