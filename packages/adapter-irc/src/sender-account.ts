/**
 * The services account of a message's sender, from what the server verified and nothing else:
 * 1. the IRCv3 `account` tag on the message, when `account-tag` is on (authoritative: no tag means no account);
 * 2. else the account tracked for the nick, when `account-notify` keeps it current;
 * 3. else a WHOX (or WHOIS) lookup; no answer in time means no account.
 * A nick alone is never an identity.
 * @module
 */
import type { Logger } from "@switchboard/core";
import type { IrcMessageEvent } from "irc-framework";
import type { AccountTracker } from "./account-tracker.js";
import type { IrcConnection } from "./connection.js";

/** Resolves senders' accounts for one connection. */
export class SenderAccounts {
  constructor(
    private readonly connection: IrcConnection,
    private readonly tracker: AccountTracker,
    private readonly lookupTimeoutMs: number,
    private readonly logger: Logger,
    /** Called before a lookup line is sent (it counts against the flood budget). */
    private readonly onLookup: () => void,
  ) {}

  /** Whether the account is known without asking the server. */
  knownWithoutLookup(nick: string): boolean {
    return (
      this.connection.hasCap("account-tag") ||
      (this.connection.hasCap("account-notify") && this.tracker.get(nick) !== undefined)
    );
  }

  /**
   * The sender's account, or null. `mayLookUp` false (chatter that is not a command) answers null instead of
   * asking the server.
   */
  async accountOf(event: IrcMessageEvent, mayLookUp: boolean): Promise<string | null> {
    if (this.connection.hasCap("account-tag")) {
      const account = event.tags?.account || null;
      this.tracker.setAccount(event.nick, account);
      return account;
    }
    if (this.connection.hasCap("account-notify")) {
      const tracked = this.tracker.get(event.nick);
      if (tracked !== undefined) return tracked;
    }
    return mayLookUp ? this.lookUp(event.nick) : null;
  }

  /** Asks the server (WHOX if it has it, else WHOIS). */
  lookUp(nick: string): Promise<string | null> {
    const client = this.connection.client;
    return new Promise((resolve) => {
      let settled = false;
      const finish = (account: string | null) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
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
          finish(user?.account || null);
        });
      } else {
        client.whois(nick, (event) => finish(event.account || null));
      }
    });
  }
}
