/**
 * The services account of a message's sender, from what the server verified and nothing else:
 * 1. the IRCv3 `account` tag on the message, when `account-tag` is on (authoritative: no tag means no account);
 * 2. else the account tracked for the nick, when `account-notify` keeps it current;
 * 3. else a WHOX (or WHOIS) lookup; no answer in time means no account. The answer counts only if it is about the
 *    same nick!ident@host that sent the message and that nick did not change or quit while the bot asked (otherwise
 *    someone could send a command and hand the nick to an identified user before the answer arrives).
 * With `accountTagOnly`, only 1. counts: no tracking, no lookups (a server without account-tag makes everyone a guest).
 * A nick alone is never an identity.
 * @module
 */
import type { Logger } from "@switchboard/core";
import type { IrcMessageEvent } from "irc-framework";
import type { AccountTracker } from "./account-tracker.js";
import type { IrcConnection } from "./connection.js";
import { LookupEpochs } from "./lookup-epochs.js";

/** Resolves senders' accounts for one connection. */
export class SenderAccounts {
  private readonly connection: IrcConnection;
  private readonly tracker: AccountTracker;
  private readonly lookupTimeoutMs: number;
  private readonly logger: Logger;
  private readonly onLookup: () => void;
  private readonly accountTagOnly: boolean;

  constructor(options: {
    connection: IrcConnection;
    tracker: AccountTracker;
    lookupTimeoutMs: number;
    logger: Logger;
    /** Called before a lookup line is sent (it counts against the flood budget). */
    onLookup: () => void;
    /** Trust only the `account` tag: never look an account up. */
    accountTagOnly?: boolean;
  }) {
    this.connection = options.connection;
    this.tracker = options.tracker;
    this.lookupTimeoutMs = options.lookupTimeoutMs;
    this.logger = options.logger;
    this.onLookup = options.onLookup;
    this.accountTagOnly = options.accountTagOnly ?? false;
  }

  /** Nick changes and quits seen while a lookup for that nick waits: an answer that arrives afterwards is void. */
  readonly #epochs = new LookupEpochs();

  /** A nick changed (old and new) or quit: any lookup in flight for it is void. */
  nickChanged(nick: string): void {
    this.#epochs.changed(this.connection.fold(nick));
  }

  /** Whether the account is known without asking the server. */
  knownWithoutLookup(nick: string): boolean {
    return (
      this.connection.hasCap("account-tag") ||
      this.accountTagOnly ||
      (this.connection.hasCap("account-notify") && this.tracker.get(nick) !== undefined)
    );
  }

  /**
   * The sender's account, or null. `mayLookUp` false (lookups switched off) answers null instead of asking the
   * server.
   */
  async accountOf(event: IrcMessageEvent, { mayLookUp }: { mayLookUp: boolean }): Promise<string | null> {
    if (this.connection.hasCap("account-tag")) {
      const account = event.tags?.account || null;
      this.tracker.setAccount(event.nick, account);
      return account;
    }
    if (this.accountTagOnly) return null;
    if (this.connection.hasCap("account-notify")) {
      const tracked = this.tracker.get(event.nick);
      if (tracked !== undefined) return tracked;
    }
    return mayLookUp ? this.lookUp(event.nick, event.ident, event.hostname) : null;
  }

  /**
   * Asks the server (WHOX if it has it, else WHOIS). With `ident`/`host` (the message's), an answer about another
   * user mask, or one that arrives after the nick changed or quit, means no account.
   */
  lookUp(nick: string, ident?: string, host?: string): Promise<string | null> {
    const client = this.connection.client;
    const changedSince = this.#epochs.begin(this.connection.fold(nick));
    return new Promise((resolve) => {
      let settled = false;
      const finish = (
        account: string | null,
        answer?: { ident?: string | undefined; hostname?: string | undefined },
      ) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        if (changedSince() && account) {
          this.logger.warn({ nick }, "the nick changed or quit during the account lookup; treating as guest");
          return resolve(null);
        }
        const differs = (a: string | undefined, b: string | undefined) => a !== undefined && b !== undefined && a !== b;
        if (account && answer && (differs(ident, answer.ident) || differs(host, answer.hostname))) {
          this.logger.warn({ nick }, "the account lookup answered for another user mask; treating as guest");
          return resolve(null);
        }
        resolve(account);
      };
      const timer = setTimeout(() => {
        this.logger.warn({ nick, timeoutMs: this.lookupTimeoutMs }, "account lookup timed out; treating as guest");
        finish(null);
      }, this.lookupTimeoutMs);
      this.onLookup();
      if (client.network.supports("WHOX")) {
        client.who(nick, (event) => {
          const user = event.users.find((u) => client.caseCompare(u.nick, nick));
          finish(user?.account || null, user);
        });
      } else {
        client.whois(nick, (event) => finish(event.account || null, event));
      }
    });
  }
}
