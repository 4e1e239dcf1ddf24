/**
 * One dedicated LISTEN connection on one channel, kept open: each notice's payload goes to `onNotice`, and after every
 * (re)connect `onListening` is called — NOTIFY is only a hint, so whatever was said while nobody listened must be
 * read again. A lost connection is opened again after a second, until {@link NoticeListener.close}. Used by approvals
 * as rows and by store changes (one connection each).
 * @module
 */
import type pg from "pg";
import { type ConnectOptions, connectClient } from "./connect.js";

/** Options for {@link NoticeListener}. */
export interface NoticeListenerOptions {
  connect: ConnectOptions;
  /** The channel (a plain identifier). */
  channel: string;
  onNotice: (payload: string) => void;
  /** Called once listening, after the first connect and every reconnect. */
  onListening?: () => void;
  onError?: (error: unknown) => void;
}

/** A LISTEN connection that reconnects (see the module comment). */
export class NoticeListener {
  readonly #options: NoticeListenerOptions;
  #client: pg.Client | undefined;
  #connecting = false;
  #closed = false;
  #retry: NodeJS.Timeout | undefined;

  constructor(options: NoticeListenerOptions) {
    if (!/^[a-z_][a-z0-9_]*$/.test(options.channel)) throw new RangeError(`not a channel name: ${options.channel}`);
    this.#options = options;
  }

  /** Connects and listens, unless it already does (or is connecting, or waits to reconnect). */
  start(): void {
    if (this.#client || this.#connecting || this.#retry || this.#closed) return;
    void this.#listen();
  }

  /** Closes the connection for good. Idempotent. */
  async close(): Promise<void> {
    this.#closed = true;
    clearTimeout(this.#retry);
    const client = this.#client;
    this.#client = undefined;
    await client?.end().catch(() => {});
  }

  async #listen(): Promise<void> {
    this.#connecting = true;
    const { channel, onNotice, onListening, onError } = this.#options;
    try {
      const client = await connectClient(this.#options.connect);
      if (this.#closed) {
        await client.end().catch(() => {});
        return;
      }
      client.on("notification", (message) => {
        if (message.channel !== channel || message.payload === undefined) return;
        try {
          onNotice(message.payload);
        } catch (error) {
          onError?.(error);
        }
      });
      client.on("error", (error) => {
        onError?.(error);
        this.#reconnect();
      });
      client.on("end", () => this.#reconnect());
      await client.query(`LISTEN ${channel}`);
      this.#client = client;
      onListening?.();
    } catch (error) {
      onError?.(error);
      this.#reconnect();
    } finally {
      this.#connecting = false;
    }
  }

  #reconnect(): void {
    if (this.#closed || this.#retry) return;
    this.#client = undefined;
    this.#retry = setTimeout(() => {
      this.#retry = undefined;
      void this.#listen();
    }, 1000);
    this.#retry.unref?.();
  }
}
