/**
 * Room references in configuration: `irc:#ops`, `matrix:!abc:example.org`, `slack:C0123`, or an object.
 * @module
 */
import { z } from "zod";

/** A room on one of the bot's networks. */
export interface RoomRef {
  /** The network name (an adapter's `name`). */
  network: string;
  /** The network's room id: `#ops`, `!abc:example.org`, `C0123`. */
  room: string;
  /** A thread inside the room, where the network has threads. */
  thread?: string;
}

/** Parses `network:room` (split at the first colon). Throws on a string without one. */
export function parseRoomRef(text: string): RoomRef {
  const at = text.indexOf(":");
  if (at <= 0 || at === text.length - 1) throw new Error(`"${text}" is not a room: use network:room, e.g. irc:#ops`);
  return { network: text.slice(0, at), room: text.slice(at + 1) };
}

/** A room in config: `irc:#ops` or `{ network: irc, room: "#ops" }`; parsed to a {@link RoomRef}. */
export const roomRefSchema = z
  .union([
    z.string(),
    z.object({ network: z.string().min(1), room: z.string().min(1), thread: z.string().min(1).optional() }).strict(),
  ])
  .transform((value, ctx): RoomRef => {
    if (typeof value !== "string") return value;
    try {
      return parseRoomRef(value);
    } catch (error) {
      ctx.addIssue({ code: "custom", message: (error as Error).message });
      return z.NEVER;
    }
  });
