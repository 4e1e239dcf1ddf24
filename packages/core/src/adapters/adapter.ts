/**
 * The adapter contract: how a chat network connection talks to the runtime, and how an adapter package describes
 * itself to the app (config schema + factory) without loading its network library.
 * @module
 */
import type { z } from "zod";
import type { OutgoingMessage } from "../output/output.js";
import type { HttpRoute } from "../plugins/routes.js";
import type { BotEvents } from "../runtime/events.js";
import type { Logger } from "../runtime/logger.js";
import type { IncomingMessage, ReplyTarget, Room, Sender } from "./message.js";

/** Optional features an adapter has. Absent means "no"; core reads them and never calls what isn't there. */
export interface AdapterCapabilities {
  /** Shows images: without it, core turns image blocks into their text fallback and link before sending. */
  images?: boolean;
  /** Has threads: announcements `inThreadOf` an earlier one go into its thread (otherwise into the room). */
  threads?: boolean;
  /** Can edit a message it sent ({@link Adapter.edit}): announcements with `replace` edit in place. */
  edits?: boolean;
}

/** A message an adapter sent, so that it can be edited or answered in its thread later. */
export interface SentMessage {
  network: string;
  /** Room id. */
  room: string;
  /** The network's id of the sent message. */
  id: string;
  /** The thread it is in, or the thread it starts. */
  thread?: string;
}

/** What {@link Adapter.resetTrust} did. */
export interface TrustReset {
  /** The identity now accepted, as the network names it (on Matrix: the cross-signing master key, base64). */
  identity: string;
  /** False when the bot already accepted that identity (nothing changed). */
  changed: boolean;
}

/** Connection state an adapter reports (for `/readyz`, metrics and events). */
export interface AdapterStatus {
  connected: boolean;
  /** Why not, or where to (`irc.libera.chat:6697`). Never contains secrets. */
  detail?: string;
  /**
   * With several instances (store-postgres), for a connection only one instance holds: the lease and this
   * instance's role. A standby is not connected, and that is its healthy state.
   */
  lease?: { resource: string; role: "leader" | "standby" };
}

/** A decision on a waiting job from a reaction or a button, sent through {@link AdapterHost.decide}. */
export interface ApprovalAction {
  jobId: string;
  decision: "approve" | "deny";
  network: string;
  /** The person who reacted or clicked, as the network identifies them. */
  sender: Sender;
  /** Where they did it. */
  room?: Room;
}

/** The answer to an {@link ApprovalAction}: what happened, in one line for the person who acted. */
export interface ActionResult {
  ok: boolean;
  text: string;
}

/** A message's command text as core found it ({@link AdapterHost.address}); hand it back to `receive`. */
export interface Addressed {
  /** The command line, without prefix or the bot's name. */
  readonly command: string;
}

/** Options for {@link AdapterHost.receive}. */
export interface ReceiveOptions {
  /**
   * `true`: the adapter knows the whole text is for the bot (a slash command, a button that runs a command, a
   * mention the network marked). An {@link Addressed} from {@link AdapterHost.address}: the adapter already asked
   * core (for instance to skip an account lookup for chatter), and core does not look again. Absent: core decides
   * by prefix, name, `nick` and direct room.
   */
  addressed?: true | Addressed;
  /** The bot's current nick on the network when it differs from its name (an IRC fallback nick): it addresses the bot too. */
  nick?: string;
}

/** Where a text was said, for {@link AdapterHost.address}. */
export interface AddressOptions {
  /** A direct conversation with the bot: every message is for it. */
  direct: boolean;
  /** The bot's current nick on the network, as in {@link ReceiveOptions.nick}. */
  nick?: string;
}

/** What the runtime hands an adapter when it starts. */
export interface AdapterHost {
  /**
   * Delivers a received message, its text as the network gave it (never rewritten). Core decides whether it is a
   * command (prefix, name, `nick`, direct room) unless `addressed` says, resolves the sender once, applies the rate
   * limits and the stale-command guard, and runs it. The adapter need not await it. Never rejects.
   */
  receive(message: IncomingMessage, options?: ReceiveOptions): Promise<void>;
  /**
   * The command text of `text`, or undefined when it is not for the bot (same rules as {@link receive}). Pass the
   * result to `receive` as `addressed`, so that the message is addressed once: for adapters that do work only for
   * commands (an account lookup, a typing notice).
   */
  address(text: string, options: AddressOptions): Addressed | undefined;
  /**
   * Approves or refuses a waiting job for the person who reacted or clicked, with the same checks as the `approve`
   * and `deny` commands (not the requester; needs the rule's permission) and the same audit entries.
   */
  decide(action: ApprovalAction): Promise<ActionResult>;
  /** Reports the connection state (call on connect, disconnect, reconnect). */
  status(status: AdapterStatus): void;
  /** Registers an HTTP route (served when the app has an `http:` section), e.g. Slack's Events API endpoint. */
  route(route: HttpRoute): void;
  /**
   * A signed link to a live job's page in the web view, for the job's requester; undefined when the web view is not
   * configured or the job is gone. For output a network cannot show in full (IRC's private rest: "full output: …").
   */
  jobLink?(jobId: string): string | undefined;
  /** Bot events, e.g. to count messages or follow jobs. */
  events: BotEvents;
  logger: Logger;
  /** The bot's name, for addressing (`switchboard: help`). */
  botName: string;
  /** The bot's command prefix (`!`). */
  prefix: string;
  /** The bot's other names (`aliases`), which address it like `botName` does. */
  aliases: string[];
}

/**
 * A chat network connection. Small on purpose: start, stop, send, and what it can do.
 * An adapter turns network events into {@link IncomingMessage}s and renders {@link OutgoingMessage}s.
 */
export interface Adapter {
  /** The network name messages carry (unique per bot). */
  readonly network: string;
  readonly capabilities: AdapterCapabilities;
  /** Commands older than this when they arrive are not run (default: the bot's `staleAfterMs`). */
  readonly staleAfterMs?: number;
  start(host: AdapterHost): Promise<void>;
  stop(): Promise<void>;
  /** Sends output; returns what was sent (the first message, when it was split) when the network gives an id. */
  // biome-ignore lint/suspicious/noConfusingVoidType: adapters without message ids return nothing
  send(target: ReplyTarget, message: OutgoingMessage): Promise<SentMessage | undefined | void>;
  /** Replaces a message it sent (only called when `capabilities.edits`). */
  edit?(sent: SentMessage, message: OutgoingMessage): Promise<void>;
  /** Sends a direct message to a person by their network id (an IRC account, a Matrix user id, a Slack user id). */
  // biome-ignore lint/suspicious/noConfusingVoidType: adapters without message ids return nothing
  sendDirect?(userId: string, message: OutgoingMessage): Promise<SentMessage | undefined | void>;
  /** Leaves a room (the `leave` command). */
  leave?(room: Room): Promise<void>;
  /**
   * Forgets the identity the bot pinned for a person, so that their current one is accepted (the `trust reset`
   * command, after they reset their own cross-signing). Throws a UserError for an unknown person or identity.
   */
  resetTrust?(userId: string): Promise<TrustReset>;
}

/**
 * Where an adapter keeps state that must follow its connection to whichever instance holds it (Matrix: the session
 * and the crypto and sync store, so a standby takes over the same device). The app gives one when the store is
 * shared (PostgreSQL: sealed with a key, each write checked against the connection's lease); without one the adapter
 * keeps files in its own folder.
 */
export interface AdapterStateStore {
  /** Where the state lives, for logs (never a secret). */
  readonly where: string;
  /** The value kept under `name`, or undefined. */
  read(name: string): Promise<Uint8Array | undefined>;
  /** Keeps `value` under `name` durably. Rejects (nothing written) once this instance no longer holds the connection. */
  write(name: string, value: Uint8Array): Promise<void>;
  /** Forgets `name` (same refusal as {@link AdapterStateStore.write}). */
  remove(name: string): Promise<void>;
}

/** What an adapter factory gets besides its own config entry. */
export interface AdapterFactoryContext {
  logger: Logger;
  /** Overrides from the command line (`switchboard shell --user NAME`). */
  shellUser?: string;
  /** Shared state for adapters whose connection moves between instances (see {@link AdapterStateStore}). */
  state?: AdapterStateStore;
}

/**
 * How an adapter package describes itself to the app: the `type:` it answers to, a config schema (with defaults
 * and TSDoc per key), and a factory that imports the network library only when called. Export one from the
 * package entry, without importing the network library at module load.
 */
export interface AdapterType<C extends { type: string; name?: string | undefined } = { type: string }> {
  /** The `type:` value in `adapters:` entries. */
  type: string;
  /** One line for `config check` and docs. */
  description: string;
  /** Validates one `adapters:` entry (including its `type`). */
  schema: z.ZodType<C, unknown>;
  /** The network name an entry gets (default: its `name`, else the type). */
  networkName?(config: C): string;
  create(config: C, context: AdapterFactoryContext): Promise<Adapter>;
}

/** Declares an adapter type (identity function that keeps the config type). */
export function defineAdapterType<C extends { type: string; name?: string | undefined }>(
  type: AdapterType<C>,
): AdapterType<C> {
  return type;
}

/** An adapter type of any configuration (for lists). */
// biome-ignore lint/suspicious/noExplicitAny: the configuration type varies per adapter
export type AnyAdapterType = AdapterType<any>;
