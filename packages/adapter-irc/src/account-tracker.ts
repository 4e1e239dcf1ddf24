/**
 * Which services account each nick in the bot's channels is logged in to, as the server said: extended-join on
 * JOIN, account-notify on login and logout, WHOX after the bot joins, account-tag on messages. Entries follow nick
 * changes and are forgotten when the user quits or no longer shares a channel with the bot (then nothing would
 * keep them current).
 * @module
 */

interface Entry {
  /** The account, `null` for "logged in to none", `undefined` for "not known". */
  account: string | null | undefined;
  channels: Set<string>;
}

/** Nick → account, for nicks that share a channel with the bot. Keys are case-folded by the caller's `fold`. */
export class AccountTracker {
  readonly #users = new Map<string, Entry>();

  constructor(private readonly fold: (text: string) => string) {}

  #entry(nick: string): Entry {
    const key = this.fold(nick);
    let entry = this.#users.get(key);
    if (!entry) {
      entry = { account: undefined, channels: new Set() };
      this.#users.set(key, entry);
    }
    return entry;
  }

  /** What is known: an account, `null` (none), or `undefined` (unknown or not tracked). */
  get(nick: string): string | null | undefined {
    return this.#users.get(this.fold(nick))?.account;
  }

  /** A user joined a channel; `account` is from extended-join (`false` = none) or undefined without it. */
  joined(nick: string, channel: string, account: string | false | undefined): void {
    const entry = this.#entry(nick);
    entry.channels.add(this.fold(channel));
    if (account !== undefined) entry.account = account || null;
  }

  /** An account is known for a tracked nick (account-notify, WHOX, account-tag). Untracked nicks are ignored. */
  setAccount(nick: string, account: string | null): void {
    const entry = this.#users.get(this.fold(nick));
    if (entry) entry.account = account;
  }

  /** A user left one channel (part or kick); forgotten when no shared channel is left. */
  left(nick: string, channel: string): void {
    const key = this.fold(nick);
    const entry = this.#users.get(key);
    if (!entry) return;
    entry.channels.delete(this.fold(channel));
    if (entry.channels.size === 0) this.#users.delete(key);
  }

  /** The bot left a channel: every membership in it ends. */
  channelGone(channel: string): void {
    const folded = this.fold(channel);
    for (const [key, entry] of this.#users) {
      entry.channels.delete(folded);
      if (entry.channels.size === 0) this.#users.delete(key);
    }
  }

  /** A user changed nick: the account goes with them. */
  renamed(oldNick: string, newNick: string): void {
    const oldKey = this.fold(oldNick);
    const entry = this.#users.get(oldKey);
    if (!entry) return;
    this.#users.delete(oldKey);
    this.#users.set(this.fold(newNick), entry);
  }

  /** A user quit. */
  quit(nick: string): void {
    this.#users.delete(this.fold(nick));
  }

  /** The connection ended: nothing is known any more. */
  clear(): void {
    this.#users.clear();
  }
}
