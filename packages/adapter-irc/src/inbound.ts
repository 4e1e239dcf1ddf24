/**
 * Inbound: what a received PRIVMSG means to core. Whether its target is a channel, and the core message it becomes
 * (the sender is the services account the server vouches for, else an unverified nick; the room is the channel or a
 * private query; the time is the server's when it says). Who sent it and whether it is for the bot are decided in
 * irc-adapter.ts (account lookups) and core (addressing, with the bot's current nick).
 * @module
 */
import type { IncomingMessage, Room } from "@switchboard/core";

/** Whether `target` names a channel (its first character is one of the network's CHANTYPES). */
export function isChannelName(target: string, chantypes: readonly string[] | undefined): boolean {
  return (chantypes ?? ["#", "&"]).includes(target[0] ?? "");
}

/** What the adapter knows about a received PRIVMSG once its sender's account is settled. */
export interface ReceivedLine {
  /** The message id: the IRCv3 `msgid` tag, else one the adapter made up. */
  id: string;
  network: string;
  room: Room;
  nick: string;
  /** The services account (null: the server vouches for none). */
  account: string | null;
  /** The text without IRC formatting, as sent otherwise. */
  text: string;
  /** The IRCv3 server-time, when the server sent it. */
  time?: number | undefined;
}

/** The core message a PRIVMSG stands for: identified by account when the server vouches for one, else a guest. */
export function incomingMessage(line: ReceivedLine): IncomingMessage {
  return {
    id: line.id,
    network: line.network,
    room: line.room,
    sender: { id: line.account ?? line.nick, name: line.nick, verified: line.account !== null },
    text: line.text,
    time: line.time ? new Date(line.time) : new Date(),
  };
}
