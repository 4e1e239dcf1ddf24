import type {
  ActionResult,
  Adapter,
  AdapterCapabilities,
  AdapterHost,
  AdapterStatus,
  ApprovalAction,
  IncomingMessage,
  SentMessage as NetworkSentMessage,
  OutgoingMessage,
  ReceiveOptions,
  ReplyTarget,
  Room,
} from "@switchboard/core";

/** One message the bot sent through a {@link MemoryAdapter}. */
export interface SentMessage {
  target: ReplyTarget;
  message: OutgoingMessage;
  /** The id the adapter gave it (`sent-1`, …). */
  id: string;
  /** Set when the bot edited it later (the newest content is in `message`). */
  edits?: number;
}

/**
 * An adapter that keeps everything in memory: inject messages, read what the bot sent. Direct messages and leaving
 * rooms are on unless `capabilities` says `false`; edits, threads and images when it says so.
 */
export class MemoryAdapter implements Adapter {
  readonly sent: SentMessage[] = [];
  /** Rooms the bot left. */
  readonly left: Room[] = [];
  #host: AdapterHost | undefined;
  #counter = 0;
  readonly #listeners = new Set<(sent: SentMessage) => void>();

  readonly capabilities: AdapterCapabilities;

  constructor(
    readonly network = "test",
    capabilities: AdapterCapabilities = {},
  ) {
    this.capabilities = { directMessages: true, leave: true, ...capabilities };
  }

  async start(host: AdapterHost): Promise<void> {
    this.#host = host;
    host.status({ connected: true, detail: "in memory" });
  }

  async stop(): Promise<void> {
    this.#host?.status({ connected: false, detail: "stopped" });
    this.#host = undefined;
  }

  async send(target: ReplyTarget, message: OutgoingMessage): Promise<NetworkSentMessage> {
    const sent: SentMessage = { target, message, id: `sent-${++this.#counter}` };
    this.sent.push(sent);
    for (const listener of this.#listeners) listener(sent);
    return {
      network: this.network,
      room: target.room.id,
      id: sent.id,
      ...(target.thread ? { thread: target.thread } : {}),
    };
  }

  async edit(ref: NetworkSentMessage, message: OutgoingMessage): Promise<void> {
    const sent = this.sent.find((s) => s.id === ref.id);
    if (!sent) throw new Error(`no message ${ref.id} to edit`);
    sent.message = message;
    sent.edits = (sent.edits ?? 0) + 1;
    for (const listener of this.#listeners) listener(sent);
  }

  async sendDirect(userId: string, message: OutgoingMessage): Promise<NetworkSentMessage> {
    return this.send({ network: this.network, room: { id: `@${userId}`, direct: true } }, message);
  }

  async leave(room: Room): Promise<void> {
    this.left.push(room);
  }

  /** Delivers a message to the bot as the network would; resolves when the bot has handled it. */
  async inject(message: IncomingMessage, options?: ReceiveOptions): Promise<void> {
    await this.#started().receive(message, options);
  }

  /** A reaction or button click on an approval request, as the network would report it. */
  decide(action: Omit<ApprovalAction, "network">): Promise<ActionResult> {
    return this.#started().decide({ ...action, network: this.network });
  }

  /** Reports a connection state, as a real adapter does on connect and disconnect. */
  reportStatus(status: AdapterStatus): void {
    this.#started().status(status);
  }

  /** Calls `listener` for every message sent (or edited) from now on; returns a function that stops it. */
  onSend(listener: (sent: SentMessage) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  #started(): AdapterHost {
    if (!this.#host) throw new Error(`adapter ${this.network} is not started`);
    return this.#host;
  }
}
