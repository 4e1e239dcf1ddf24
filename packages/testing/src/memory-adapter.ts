import type {
  Adapter,
  AdapterCapabilities,
  AdapterHost,
  IncomingMessage,
  OutgoingMessage,
  ReplyTarget,
} from "@switchboard/core";

/** One message the bot sent through a {@link MemoryAdapter}. */
export interface SentMessage {
  target: ReplyTarget;
  message: OutgoingMessage;
}

/** An adapter that keeps everything in memory: inject messages, read what the bot sent. */
export class MemoryAdapter implements Adapter {
  readonly sent: SentMessage[] = [];
  #host: AdapterHost | undefined;
  readonly #listeners = new Set<(sent: SentMessage) => void>();

  constructor(
    readonly network = "test",
    readonly capabilities: AdapterCapabilities = {},
  ) {}

  async start(host: AdapterHost): Promise<void> {
    this.#host = host;
  }

  async stop(): Promise<void> {
    this.#host = undefined;
  }

  async send(target: ReplyTarget, message: OutgoingMessage): Promise<void> {
    const sent = { target, message };
    this.sent.push(sent);
    for (const listener of this.#listeners) listener(sent);
  }

  /** Delivers a message to the bot as the network would; resolves when the bot has handled it. */
  async inject(message: IncomingMessage): Promise<void> {
    if (!this.#host) throw new Error(`adapter ${this.network} is not started`);
    await this.#host.receive(message);
  }

  /** Calls `listener` for every message sent from now on; returns a function that stops it. */
  onSend(listener: (sent: SentMessage) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }
}
