/**
 * Addressing: deciding cheaply whether a message is meant for the bot, and what the command text is.
 * @module
 */

/** How people address the bot. */
export interface AddressingOptions {
  /** Command prefix, default `!`. */
  prefix: string;
  /** The bot's name (and aliases): `switchboard: deploy …`, `@switchboard deploy …`. */
  names: string[];
}

const wordStart = /[\p{L}\p{N}]/u;

/** Whether `text` starts with a letter or digit (of any script; ASCII answered without the regex). */
function startsWord(text: string): boolean {
  const code = text.charCodeAt(0);
  if ((code >= 0x61 && code <= 0x7a) || (code >= 0x41 && code <= 0x5a) || (code >= 0x30 && code <= 0x39)) return true;
  return code >= 0x80 && wordStart.test(text[0]!);
}

/**
 * The command text of a message, or undefined when the message is not for the bot.
 * In a direct conversation (`direct`) every message is a command.
 */
export function extractCommandText(text: string, options: AddressingOptions & { direct: boolean }): string | undefined {
  const trimmed = text.trimStart();
  if (trimmed.startsWith(options.prefix)) {
    const rest = trimmed.slice(options.prefix.length);
    return startsWord(rest) ? rest.trim() : undefined;
  }
  const first = trimmed[0];
  if (
    first === "@" ||
    (first !== undefined && options.names.some((n) => n[0]?.toLowerCase() === first.toLowerCase()))
  ) {
    const lower = trimmed.toLowerCase();
    for (const name of options.names) {
      const at = lower.startsWith(`@${name.toLowerCase()}`)
        ? name.length + 1
        : lower.startsWith(name.toLowerCase())
          ? name.length
          : -1;
      if (at < 0) continue;
      const after = trimmed.slice(at);
      const match = /^[:,]?\s+(.*)$/s.exec(after) ?? (first === "@" && after === "" ? ["", ""] : undefined);
      if (match && (first === "@" || /^[:,]/.test(after))) return match[1]!.trim() || undefined;
    }
  }
  return options.direct && trimmed.length > 0 ? trimmed.trim() : undefined;
}
