/**
 * CTCP: the bot answers VERSION and PING (with a NOTICE, as CTCP requires) and nothing else. The text of a CTCP
 * request is never treated as a command.
 * @module
 */
import { sanitizeLine } from "./render.js";

const CTCP = "\x01";
/** At most one CTCP answer per this many milliseconds, so a CTCP flood cannot fill the send queue. */
export const CTCP_REPLY_INTERVAL_MS = 2000;

/** The CTCP answer body for a request (`VERSION …`, `PING …`), or undefined for requests the bot ignores. */
export function ctcpAnswer(type: string | null, message: string, version: string): string | undefined {
  const kind = (type ?? "").toUpperCase();
  if (kind === "VERSION") return `${CTCP}VERSION ${sanitizeLine(version)}${CTCP}`;
  if (kind === "PING") {
    const payload = sanitizeLine(message.slice(4).trim()).slice(0, 64);
    return payload ? `${CTCP}PING ${payload}${CTCP}` : `${CTCP}PING${CTCP}`;
  }
  return undefined;
}
