/**
 * Helpers for received PRIVMSGs: is the target a channel, and is the bot addressed by its IRC nick.
 * @module
 */

/** Whether `target` names a channel (its first character is one of the network's CHANTYPES). */
export function isChannelName(target: string, chantypes: readonly string[] | undefined): boolean {
  return (chantypes ?? ["#", "&"]).includes(target[0] ?? "");
}

/**
 * Rewrites `<nick>: text`, `<nick>, text` and `@<nick> text` addressed to the bot's current IRC nick into
 * `<botName>: text`, which the core recognises, when the nick differs from the bot's name (`sbot: ping` with
 * nick `sbot` and name `switchboard`, or a fallback nick). Other text is returned unchanged.
 */
export function normaliseAddressing(
  text: string,
  nick: string,
  botName: string,
  same: (a: string, b: string) => boolean,
): string {
  if (same(nick, botName)) return text;
  const trimmed = text.trimStart();
  const at = trimmed.startsWith("@") ? 1 : 0;
  const candidate = trimmed.slice(at, at + nick.length);
  if (!same(candidate, nick)) return text;
  const after = trimmed.slice(at + nick.length);
  const match = at ? /^[:,]?\s+(.*)$/s.exec(after) : /^[:,]\s*(.*)$/s.exec(after);
  if (!match?.[1]?.trim()) return text;
  return `${botName}: ${match[1].trim()}`;
}
