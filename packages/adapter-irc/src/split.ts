/**
 * Splitting text into pieces that fit a byte budget: on spaces where possible, else between characters
 * (grapheme clusters), never inside a UTF-8 sequence or an IRC colour code. Linear in the length of the text:
 * `Intl.Segmenter` is quadratic on long strings in Node 20 (a 160,000-character line took over a minute), so it only
 * ever sees windows of {@link WINDOW} code units.
 * @module
 */

const segmenter = new Intl.Segmenter(undefined, { granularity: "grapheme" });

/** UTF-8 length of `text` in bytes (counted from its code units: no encoding, no allocation). */
export function byteLength(text: string): number {
  let bytes = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 0x80) bytes += 1;
    else if (code < 0x800) bytes += 2;
    else if (code >= 0xd800 && code <= 0xdbff && i + 1 < text.length) {
      const next = text.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        bytes += 4;
        i++;
      } else bytes += 3;
    } else bytes += 3;
  }
  return bytes;
}

/** An IRC colour code: \x03, a foreground and optionally a background colour number. */
const colourCode = new RegExp(`(${String.fromCharCode(3)}\\d{0,2}(?:,\\d{1,2})?)`);

/** Code units handed to the segmenter at once. */
export const WINDOW = 2048;

/**
 * Characters whose grapheme break property is Other, Control, CR or LF (UAX #29): ASCII, Latin-1 and Latin Extended,
 * IPA, spacing modifiers, general punctuation without ZWNJ/ZWJ, super- and subscripts, currency, letterlike symbols,
 * arrows, mathematical and technical symbols, box drawing, block elements (progress bars), shapes, dingbats. No
 * Extend, ZWJ, SpacingMark, Prepend, Hangul or astral characters: each is a cluster of its own but CR LF.
 */
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are clusters of their own too
const SIMPLE = /^[\u0000-\u02ff\u2000-\u200b\u200e-\u20cf\u2100-\u2bff]*$/;

/** Whether every character of `window` is a grapheme cluster of its own. */
const oneCharClusters = (window: string) => SIMPLE.test(window) && !window.includes("\r\n");

function* segmentsOf(window: string): Generator<string> {
  for (const { segment } of segmenter.segment(window)) yield segment;
}

/**
 * Grapheme clusters of `text`, segmenting windows of {@link WINDOW} code units. The last cluster of a window may be
 * cut by the window's end (half a surrogate pair, a base without its combining marks), so it is carried into the
 * next window instead of being given out; only the final window's last cluster is final.
 */
export function* graphemes(text: string): Generator<string> {
  let carried = "";
  for (let start = 0; start < text.length; start += WINDOW) {
    const window = carried + text.slice(start, start + WINDOW);
    let previous: string | undefined;
    // Simple text (a progress bar, most command output): every character is a cluster of its own, except that a
    // combining mark at the start of the next window would join the last one, which is carried like any other.
    const clusters = oneCharClusters(window) ? window : segmentsOf(window);
    for (const segment of clusters) {
      if (previous !== undefined) yield previous;
      previous = segment;
    }
    carried = previous ?? "";
    // A single cluster longer than a window (thousands of combining marks) is given out rather than carried forever.
    if (carried.length > WINDOW) {
      yield carried;
      carried = "";
    }
  }
  if (carried) yield carried;
}

/**
 * The units a line may be broken between: grapheme clusters, except that an IRC colour code (`\x03` with its
 * digits) stays one unit with the character that follows it.
 */
function* units(text: string): Generator<string> {
  let carry = "";
  for (const part of text.split(colourCode)) {
    if (!part) continue;
    if (part.startsWith(String.fromCharCode(3))) {
      carry += part;
      continue;
    }
    for (const segment of graphemes(part)) {
      yield carry + segment;
      carry = "";
    }
  }
  if (carry) yield carry;
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
