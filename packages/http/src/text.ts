/**
 * Text from webhook payloads into chat: one line, no control characters, bounded length, bidirectional and
 * zero-width characters shown as `<U+202E>`. Payload text is written by whoever pushed a commit or labelled an alert;
 * it must not add lines (IRC commands), ring bells, flood a room or pose as other text (`"\u202Egnp.exe"`).
 * @module
 */
import { revealInvisible } from "@switchboard/core";

// biome-ignore lint/suspicious/noControlCharactersInRegex: removing control characters is the point
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]+/g;

/**
 * `text` on one line (control characters and line breaks become one space, invisible characters visible), cut to
 * `max` characters with "…".
 */
export function oneLine(text: string, max = 200): string {
  const flat = revealInvisible(text)
    .replace(CONTROL, " ")
    .replace(/\s{2,}/g, " ")
    .trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

/** The first line of a commit message or description, cleaned like {@link oneLine}. */
export function firstLine(text: string | null | undefined, max = 120): string {
  return oneLine((text ?? "").split(/\r?\n/, 1)[0] ?? "", max);
}

/** The URL when it is an absolute http(s) URL, else undefined (no `javascript:` or relative links in rooms). */
export function httpUrl(text: unknown): string | undefined {
  if (typeof text !== "string" || text.length > 2000) return undefined;
  try {
    const url = new URL(text);
    return url.protocol === "https:" || url.protocol === "http:" ? url.href : undefined;
  } catch {
    return undefined;
  }
}
