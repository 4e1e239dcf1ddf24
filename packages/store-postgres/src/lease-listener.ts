/**
 * One dedicated connection per instance that LISTENs for released leases and wakes the standbys of that resource.
 * NOTIFY is only a hint (standbys also poll): a lost connection is reopened with backoff, and nothing is missed for
 * long in between.
 * @module
 */
import type pg from "pg";
import { type ConnectOptions, connectClient } from "./connect.js";
import { LEASE_CHANNEL } from "./lease-elector.js";

/** Wakes subscribers when a lease on their resource is released. */
export class LeaseListener {
  readonly #options: ConnectOptions;
  readonly #subscribers = new Map<string, Set<() => void>>();
  #client: pg.Client | undefined;
  #closed = false;
  #retry: NodeJS.Timeout | undefined;
  #onError: ((error: unknown) => void) | undefined;

  constructor(options: ConnectOptions, onError?: (error: unknown) => void) {
    this.#options = options;
    this.#onError = onError;
  }

  /** Connects and LISTENs (resolves once listening). */
  async start(): Promise<void> {
    const client = await connectClient(this.#options);
    client.on("notification", (message) => {
      if (message.channel !== LEASE_CHANNEL || message.payload === undefined) return;
      for (const wake of this.#subscribers.get(message.payload) ?? []) wake();
    });
    client.on("error", (error) => {
      this.#onError?.(error);
      this.#reconnect();
    });
    client.on("end", () => this.#reconnect());
    await client.query(`LISTEN ${LEASE_CHANNEL}`);
    this.#client = client;
  }

  #reconnect(): void {
    if (this.#closed || this.#retry) return;
    this.#client = undefined;
    this.#retry = setTimeout(() => {
      this.#retry = undefined;
      this.start().catch((error: unknown) => {
        this.#onError?.(error);
        this.#reconnect();
      });
    }, 1000);
    this.#retry.unref?.();
  }

  /** Calls `wake` whenever a lease on `resource` is released; returns the unsubscribe function. */
  subscribe(resource: string, wake: () => void): () => void {
    let set = this.#subscribers.get(resource);
    if (!set) {
      set = new Set();
      this.#subscribers.set(resource, set);
    }
    set.add(wake);
    return () => set.delete(wake);
  }

  async close(): Promise<void> {
    this.#closed = true;
    clearTimeout(this.#retry);
    const client = this.#client;
    this.#client = undefined;
    await client?.end().catch(() => {});
  }
}
