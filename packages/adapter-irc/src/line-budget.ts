/**
 * How many bytes of text one PRIVMSG may carry. IRC lines are at most 512 bytes including the CRLF, and the line
 * the server relays to others starts with the prefix it adds (`:nick!user@host `), so that prefix counts too.
 * @module
 */
import { byteLength } from "./split.js";

/** The IRC line limit (RFC 1459/2812), CRLF included; message tags have their own budget. */
export const IRC_LINE_BYTES = 512;
/** Host names are at most 63 bytes on common servers (HOSTLEN); assumed while the bot's own host is unknown. */
const MAX_HOST_BYTES = 63;

/** What the bot knows about how others see it. */
export interface SelfMask {
  /** The nick now. */
  nick: string;
  /** The nick it wants (and may take back, which can make the prefix longer). */
  wantedNick: string;
  /** The user name it registered with. */
  username: string;
  /** The user part as the server shows it (`~bot`), once seen. */
  ident?: string;
  /** The host as the server shows it, once seen. */
  host?: string;
}

/** Bytes of text that fit in one `PRIVMSG <target> :<text>` as relayed by the server. */
export function textBudget(self: SelfMask, target: string): number {
  const nick = Math.max(byteLength(self.nick), byteLength(self.wantedNick));
  // Without ident servers prefix the user name with "~"; assume that until the real mask is known.
  const user = self.ident !== undefined ? byteLength(self.ident) : 1 + byteLength(self.username);
  const host = self.host !== undefined ? byteLength(self.host) : MAX_HOST_BYTES;
  // ":" nick "!" user "@" host " PRIVMSG " target " :" text "\r\n"
  const overhead = 1 + nick + 1 + user + 1 + host + " PRIVMSG ".length + byteLength(target) + 2 + 2;
  return IRC_LINE_BYTES - overhead;
}
