import {
  type AnyPlugin,
  type AuditEntry,
  type Bot,
  type BotOptions,
  createBot,
  type IncomingMessage,
  type OutgoingMessage,
  renderText,
  silentLogger,
} from "@switchboard/core";
import { MemoryAdapter, type SentMessage } from "./memory-adapter.js";

/** What the bot said in answer to one message. */
export interface Exchange {
  /** Every message the bot sent in answer, in order. */
  messages: OutgoingMessage[];
  /** All of it as plain text. */
  text: string;
}

/** How a test person speaks. */
export interface SpeakerOptions {
  /** Network name (an adapter with this name is created on demand). Default `test`. */
  network?: string;
  /** Whether the network verified them. Default true. */
  verified?: boolean;
  /** Room id. Default `#ops`. */
  room?: string;
  /** A direct conversation (no prefix needed). Default false. */
  direct?: boolean;
  /** The id the network gives them (default: the name). */
  id?: string;
}

/** A person in a test conversation. */
export interface Speaker {
  /** Says `text`; resolves with the bot's answer once the command finished, was refused, or awaits approval. */
  say(text: string): Promise<Exchange>;
}

/** Options for {@link createHarness}: bot options (adapters are made for you) plus plugins to enable. */
export interface HarnessOptions extends Omit<BotOptions, "adapters"> {
  plugins?: Array<[AnyPlugin, unknown] | AnyPlugin>;
  /** Extra networks to create adapters for up front (more are created when someone speaks on them). */
  networks?: string[];
}

/** A bot wired to in-memory adapters, with helpers to talk to it and inspect what happened. */
export interface Harness {
  bot: Bot;
  as(name: string, options?: SpeakerOptions): Speaker;
  /** The in-memory adapter of a network. */
  adapter(network?: string): MemoryAdapter;
  /** Everything sent to a room, as plain text lines. */
  transcript(room?: string, network?: string): string;
  /** Audit entries, oldest first. */
  audit(): Promise<AuditEntry[]>;
  /** Resolves when no job is running. */
  idle(): Promise<void>;
  /** Waits until the bot sends something matching `pattern` to any room; resolves with its text. */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<string>;
  close(): Promise<void>;
}

let counter = 0;

/** Creates a started bot on in-memory adapters for conversation tests. */
export async function createHarness(options: HarnessOptions = {}): Promise<Harness> {
  const { plugins = [], networks = ["test"], ...botOptions } = options;
  // Conversation tests send many commands at once; rate limits are off unless a test passes `rateLimit`.
  const bot = createBot({ logger: silentLogger(), progressIntervalMs: 20, rateLimit: false, ...botOptions });
  const adapters = new Map<string, MemoryAdapter>();
  const all: SentMessage[] = [];
  const waiters = new Set<(sent: SentMessage) => void>();
  const addAdapter = (network: string) => {
    const adapter = new MemoryAdapter(network);
    adapter.onSend((sent) => {
      all.push(sent);
      for (const waiter of waiters) waiter(sent);
    });
    adapters.set(network, adapter);
    bot.addAdapter(adapter);
    return adapter;
  };
  for (const network of networks) addAdapter(network);
  for (const entry of plugins) {
    const [plugin, config] = Array.isArray(entry) ? entry : [entry, undefined];
    bot.use(plugin, config);
  }
  await bot.start();

  const adapterFor = (network: string) => {
    const existing = adapters.get(network);
    if (existing) return existing;
    return addAdapter(network);
  };

  return {
    bot,
    as(name, speaker = {}) {
      const network = speaker.network ?? "test";
      return {
        async say(text) {
          const adapter = adapterFor(network);
          const message: IncomingMessage = {
            id: `m${++counter}`,
            network,
            room: { id: speaker.room ?? (speaker.direct ? `@${name}` : "#ops"), direct: speaker.direct ?? false },
            sender: { id: speaker.id ?? name, name, verified: speaker.verified ?? true },
            text,
            time: new Date(),
          };
          const messages: OutgoingMessage[] = [];
          const stop = adapter.onSend((sent) => {
            if (sent.target.inReplyTo === message.id) messages.push(sent.message);
          });
          try {
            await adapter.inject(message);
          } finally {
            stop();
          }
          return { messages, text: messages.map((m) => renderText(m.blocks)).join("\n") };
        },
      };
    },
    adapter: (network = "test") => adapterFor(network),
    transcript: (room = "#ops", network = "test") =>
      all
        .filter((s) => s.target.network === network && s.target.room.id === room)
        .map((s) => renderText(s.message.blocks))
        .join("\n"),
    async audit() {
      const entries: AuditEntry[] = [];
      for await (const entry of bot.auditLog.entries()) entries.push(entry);
      return entries;
    },
    idle: () => bot.idle(),
    waitFor(pattern, timeoutMs = 5000) {
      const seen = all.map((s) => renderText(s.message.blocks)).find((t) => pattern.test(t));
      if (seen !== undefined) return Promise.resolve(seen);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          waiters.delete(waiter);
          reject(new Error(`the bot sent nothing matching ${pattern} within ${timeoutMs} ms`));
        }, timeoutMs);
        const waiter = (sent: SentMessage) => {
          const text = renderText(sent.message.blocks);
          if (!pattern.test(text)) return;
          clearTimeout(timer);
          waiters.delete(waiter);
          resolve(text);
        };
        waiters.add(waiter);
      });
    },
    close: () => bot.stop(),
  };
}
