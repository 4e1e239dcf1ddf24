import type { Logger } from "./logger.js";
import type { IncomingMessage, ReplyTarget } from "./message.js";
import type { OutgoingMessage } from "./output.js";

/** Optional features an adapter has. Absent means "no"; the runtime never calls what isn't there. */
export interface AdapterCapabilities {
  /** Can show images inline (otherwise the image's fallback text and URL are sent). */
  images?: boolean;
  /** Has threads. */
  threads?: boolean;
  /** Can edit a message it sent (progress is then edited in place). */
  edits?: boolean;
  /** Rich formatting (HTML, mrkdwn); otherwise plain text. */
  richText?: boolean;
  /** Maximum characters of one message, if the network has a limit. */
  maxMessageLength?: number;
}

/** What the runtime hands an adapter when it starts. */
export interface AdapterHost {
  /** Deliver a received message. The adapter need not await it: commands run as jobs. */
  receive(message: IncomingMessage): Promise<void>;
  logger: Logger;
  /** The bot's name, for addressing (`switchboard: help`). */
  botName: string;
  /** The bot's command prefix (`!`), for adapters that must recognise commands themselves (e.g. stale ones). */
  prefix?: string;
  /** The bot's other names (`aliases`), which address it like `botName` does. */
  aliases?: string[];
}

/**
 * A chat network connection. Small on purpose: start, stop, send, and what it can do.
 * An adapter turns network events into {@link IncomingMessage}s and renders {@link OutgoingMessage}s.
 */
export interface Adapter {
  /** The network name messages carry (unique per bot). */
  readonly network: string;
  readonly capabilities: AdapterCapabilities;
  start(host: AdapterHost): Promise<void>;
  stop(): Promise<void>;
  send(target: ReplyTarget, message: OutgoingMessage): Promise<void>;
}
