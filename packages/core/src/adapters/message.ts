/**
 * The message model shared by every adapter: what the network told us, nothing more.
 * @module
 */

/** A person as seen by one chat network. */
export interface Sender {
  /**
   * The network's stable identifier for this person: an IRC services account, a Matrix user id, a Slack user id.
   * For an unverified sender it is whatever the network offers (an IRC nick), and it grants nothing.
   */
  id: string;
  /** What to call them in replies (nick, display name). Never used for authorisation. */
  name: string;
  /** True only when the network itself vouches for `id` (services account, homeserver, Slack). */
  verified: boolean;
  /**
   * Where the network has devices (Matrix): true only when the message came from a device its owner verified
   * (cross-signed) and was not decrypted with forwarded or unsigned keys. Rules with `requireVerifiedDevice` need it.
   */
  deviceVerified?: boolean;
}

/** Where a message was said. */
export interface Room {
  /** Network-specific room id (`#ops`, `!abc:example.org`, `C0123`). */
  id: string;
  /** A human name for the room, when known. */
  name?: string;
  /** True for a direct (one-to-one) conversation; every message in it is a command. */
  direct: boolean;
}

/**
 * The term of a lease a connection was opened under, where only one instance may hold a network's connection
 * (store-postgres: IRC, Matrix). The token grows with every new term, so resource + token name one term.
 */
export interface ConnectionLease {
  resource: string;
  /** The instance that held it. */
  holder: string;
  /** The fencing token of that term. */
  token: number;
}

/** A message received from a chat network, normalised by its adapter. */
export interface IncomingMessage {
  /** The network's message id, or one the adapter made up. */
  id: string;
  /** Which configured network it came from, e.g. `shell`, `irc`, `matrix-home`. */
  network: string;
  room: Room;
  /** Thread or reply-chain id where the network has threads. */
  thread?: string;
  sender: Sender;
  text: string;
  time: Date;
  /**
   * Set by core's scheduler on the message a schedule's run is handed in as (adapters never set it): the
   * schedule's id and the due time (ISO-8601) the run is for. Written to the run's audit entries.
   */
  schedule?: { id: string; due: string };
  /**
   * Set by an adapter wrapper that opens the connection only under a lease (adapters never set it): the term the
   * connection that received the message was opened under. Its claim carries it, and a claiming audit log refuses
   * the claim once that term has ended (another instance, or a newer term of this one, holds the connection).
   */
  lease?: ConnectionLease;
}

/** Where a reply goes: a room on a network, optionally inside a thread, optionally mentioning someone. */
export interface ReplyTarget {
  network: string;
  room: Room;
  thread?: string;
  /** The message being answered, for networks that can quote or thread it. */
  inReplyTo?: string;
  /** The person being answered (adapters may prefix `nick:` in shared rooms). */
  mention?: Sender;
}

/** The reply target for answering `message` where it was said. */
export function replyTargetFor(message: IncomingMessage): ReplyTarget {
  return {
    network: message.network,
    room: message.room,
    ...(message.thread !== undefined ? { thread: message.thread } : {}),
    inReplyTo: message.id,
    mention: message.sender,
  };
}
