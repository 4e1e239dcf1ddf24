/**
 * Splitting text into pieces that fit a byte budget: on spaces where possible, else between characters
 * (grapheme clusters), never inside a UTF-8 sequence or an IRC colour code.
 * @module
 */

const encoder = new TextEncoder();
const segmenter = new Intl.Segmenter(undefined, { granularity: "grapheme" });

/** UTF-8 length of `text` in bytes. */
export function byteLength(text: string): number {
  return encoder.encode(text).length;
}

/** An IRC colour code: \x03, a foreground and optionally a background colour number. */
const colourCode = new RegExp(`(${String.fromCharCode(3)}\\d{0,2}(?:,\\d{1,2})?)`);

/**
 * The units a line may be broken between: grapheme clusters, except that an IRC colour code (`\x03` with its
 * digits) stays one unit with the character that follows it.
 */
function units(text: string): string[] {
  const out: string[] = [];
  let carry = "";
  for (const part of text.split(colourCode)) {
    if (!part) continue;
    if (part.startsWith(String.fromCharCode(3))) {
      carry += part;
      continue;
    }
    for (const { segment } of segmenter.segment(part)) {
      out.push(carry + segment);
      carry = "";
    }
  }
  if (carry) out.push(carry);
  return out;
}

/**
 * Splits `text` into pieces of at most `maxBytes` UTF-8 bytes each. A break goes at the last space that fits
 * (the space itself is dropped) unless that would leave the piece less than half full; otherwise between two
 * characters. A single character longer than `maxBytes` (impossible with real budgets) is cut between code points.
 */
export function splitToBytes(text: string, maxBytes: number): string[] {
  if (maxBytes < 8) throw new Error(`line budget of ${maxBytes} bytes is too small`);
  if (byteLength(text) <= maxBytes) return [text];
  const pieces: string[] = [];
  let current: string[] = [];
  let currentBytes = 0;
  /** Index in `current` of the last space unit, and the byte length before it. */
  let lastSpace = -1;
  let bytesBeforeSpace = 0;
  const flush = (upTo: number, skip: number) => {
    pieces.push(current.slice(0, upTo).join(""));
    current = current.slice(upTo + skip);
    currentBytes = byteLength(current.join(""));
    lastSpace = current.lastIndexOf(" ");
    bytesBeforeSpace = lastSpace < 0 ? 0 : byteLength(current.slice(0, lastSpace).join(""));
  };
  for (const unit of units(text)) {
    for (const part of byteLength(unit) > maxBytes ? [...unit] : [unit]) {
      const size = byteLength(part);
      while (currentBytes + size > maxBytes && current.length > 0) {
        if (lastSpace > 0 && bytesBeforeSpace >= maxBytes / 2) flush(lastSpace, 1);
        else flush(current.length, 0);
      }
      if (part === " ") {
        lastSpace = current.length;
        bytesBeforeSpace = currentBytes;
      }
      current.push(part);
      currentBytes += size;
    }
  }
  if (current.length > 0) pieces.push(current.join(""));
  return pieces.filter((piece) => piece.length > 0);
}
