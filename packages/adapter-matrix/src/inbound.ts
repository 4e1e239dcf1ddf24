/**
 * Inbound: what a received Matrix event means to core. Which events can carry a command, the core message a room
 * message becomes (sender as the homeserver vouches for it, room, thread, time), whether a room is a direct
 * conversation, the bot's current name in a room (it addresses the bot: the text is never rewritten), whose invites
 * are accepted and which reactions approve. The adapter (matrix-adapter.ts) wires these to the client and to core.
 * @module
 */
import type { IncomingMessage } from "@switchboard/core";
import type { MatrixEvent, Room } from "matrix-js-sdk";
import { type Content, isEdit, messageText, threadOf } from "./content.js";
import type { MatrixOptions } from "./matrix-adapter.js";

/** The text of a message that may be a command (an `m.text` message that is not an edit), else undefined. */
export function commandCandidate(event: MatrixEvent): string | undefined {
  if (event.getType() !== "m.room.message") return undefined;
  const content = event.getContent() as Content;
  if (content.msgtype !== "m.text" || isEdit(content)) return undefined;
  return messageText(content);
}

/** A direct conversation: the bot was invited with `is_direct` (a DM in clients) and nobody else is in the room. */
export function isDirect(room: Room): boolean {
  return room.getJoinedMemberCount() <= 2 && room.getDMInviter() !== undefined;
}

/** True for history from before the bot (last) joined the room: never acted on. */
export function beforeJoin(event: MatrixEvent, room: Room, me: string): boolean {
  const joined = room.currentState.getMember(me)?.events.member;
  return joined !== undefined && joined !== null && event.getTs() < joined.getTs();
}

/**
 * The bot's display name in `room` now (a rename updates it): people address the bot by it (`Ops Bot: deploy …`,
 * which is also what clients write for a mention pill). Core takes it as the bot's current nick.
 */
export function currentName(room: Room, me: string): string | undefined {
  const member = room.getMember(me);
  return member?.rawDisplayName && member.rawDisplayName !== me ? member.rawDisplayName : undefined;
}

/** The core message a room event stands for: the sender is the Matrix user id the homeserver vouches for. */
export function incomingMessage(
  event: MatrixEvent,
  room: Room,
  { network, text, direct }: { network: string; text: string; direct: boolean },
): IncomingMessage {
  const userId = event.getSender()!;
  const thread = threadOf(event.getContent() as Content);
  return {
    id: event.getId()!,
    network,
    room: { id: room.roomId, name: room.name, direct },
    ...(thread ? { thread } : {}),
    sender: { id: userId, name: room.getMember(userId)?.name ?? userId, verified: true },
    text,
    time: new Date(event.getTs()),
  };
}

/** Whether `value` matches one of `patterns` (exact, or a glob where `*` matches anything). */
export function matchesAny(value: string, patterns: string[]): boolean {
  return patterns.some((pattern) => {
    if (!pattern.includes("*")) return pattern === value;
    const regex = new RegExp(`^${pattern.split("*").map(escapeRegex).join(".*")}$`);
    return regex.test(value);
  });
}

function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/**
 * Whether an invite is accepted: the inviter or the room id is allowed by the `invites` option. Room ids only: an
 * alias is chosen by whoever controls it, so `#ops:example.org` in the list could be pointed at any room.
 */
export function inviteAllowed(invites: MatrixOptions["invites"], inviter: string, roomId: string): boolean {
  return matchesAny(inviter, invites.users) || matchesAny(roomId, invites.rooms);
}

/** Normalises an emoji key (drops variation selectors) for comparison. */
const emojiKey = (key: string) => key.replace(/\uFE0F/g, "");

/** Whether a reaction key is one of the configured approval reactions. */
export function isApprovalReaction(key: string, approvalReactions: string[]): boolean {
  return approvalReactions.some((r) => emojiKey(r) === emojiKey(key));
}
