/**
 * The ignore list: nicks or `nick!user@host` masks (with `*` and `?`) whose lines the bot never acts on.
 * @module
 */

function maskToRegExp(mask: string): RegExp {
  const body = [...mask]
    .map((ch) => (ch === "*" ? ".*" : ch === "?" ? "." : ch.replace(/[\\^$.|+()[\]{}]/g, "\\$&")))
    .join("");
  return new RegExp(`^${body}$`, "i");
}

/** Matches senders against configured masks. A mask without `!` matches the nick alone. */
export class IgnoreList {
  readonly #nickMasks: RegExp[] = [];
  readonly #fullMasks: RegExp[] = [];

  constructor(masks: string[]) {
    for (const mask of masks) (mask.includes("!") ? this.#fullMasks : this.#nickMasks).push(maskToRegExp(mask));
  }

  /** Whether a sender is ignored. */
  matches(nick: string, ident = "", host = ""): boolean {
    if (this.#nickMasks.some((re) => re.test(nick))) return true;
    const full = `${nick}!${ident}@${host}`;
    return this.#fullMasks.some((re) => re.test(full));
  }
}
