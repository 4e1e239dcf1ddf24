/**
 * The IRC adapter: a Switchboard network on an IRC server, through irc-framework.
 * @module
 */
import {
  type Adapter,
  type AdapterCapabilities,
  type AdapterHost,
  type OutgoingMessage,
  type ReplyTarget,
  type Room,
  TokenBucket,
} from "@switchboard/core";
import {
  type IrcAccountEvent,
  type IrcCtcpEvent,
  type IrcJoinEvent,
  type IrcKickEvent,
  type IrcMessageEvent,
  type IrcNickEvent,
  type IrcPartEvent,
  Message,
} from "irc-framework";
import { z } from "zod";
import { bindToAccount, boundAccount } from "./account-bound.js";
import { AccountTracker } from "./account-tracker.js";
import { IrcConnection } from "./connection.js";
import { CTCP_REPLY_INTERVAL_MS, ctcpAnswer } from "./ctcp.js";
import { FloodQueue, type OutLine } from "./flood-queue.js";
import { IgnoreList } from "./ignore-list.js";
import { incomingMessage, isChannelName } from "./inbound.js";
import type { SelfMask } from "./line-budget.js";
import { planLines } from "./outbound.js";
import { stripFormatting } from "./render.js";
import { SenderAccounts } from "./sender-account.js";
import { ircAdapterType } from "./type.js";

/** What `new IrcAdapter(…)` takes: the keys of a `type: irc` entry (see type.ts); only `host` and `nick` are required. */
export type IrcAdapterOptions = Omit<z.input<typeof ircAdapterType.schema>, "type">;
/** The options as the adapter uses them: every default filled in, durations in milliseconds. */
export type IrcOptions = Omit<z.output<typeof ircAdapterType.schema>, "type">;

/** How many message ids of received messages are remembered for `+draft/reply`. */
const REMEMBERED_MSGIDS = 500;
/** How long `stop()` waits for queued lines to go out before quitting. */
const STOP_DRAIN_MS = 5000;

/**
 * A bot on one IRC network. Commands come from channel messages (with the prefix or `<nick>: …`) and from every
 * line of a private query; replies go back where they were asked, rendered for IRC, within the line limit,
 * through a rate limiter. Who sent a message is what the server verified (services account), never the nick.
 * See the package README for every option.
 */
export class IrcAdapter implements Adapter {
  readonly network: string;
  readonly capabilities: AdapterCapabilities = {};
  readonly #options: IrcOptions;
  readonly #ignore: IgnoreList;
  readonly #bucket: TokenBucket;
  readonly #queue: FloodQueue;
  #connection: IrcConnection | undefined;
  #tracker: AccountTracker | undefined;
  #accounts: SenderAccounts | undefined;
  #host: AdapterHost | undefined;
  /** How others see the bot (`nick!ident@host`), learnt from its own JOINs. */
  #ident: string | undefined;
  #hostname: string | undefined;
  readonly #msgids = new Set<string>();
  #lastCtcpReply = 0;
  /** The nick and account of the last account-bound line not sent (to log each such rest once). */
  #droppedFor = "";
  #seq = 0;
  #stopped = false;

  constructor(options: IrcAdapterOptions) {
    const parsed = ircAdapterType.schema.safeParse({ ...options, type: "irc" });
    if (!parsed.success) throw new Error(`IRC adapter options: ${z.prettifyError(parsed.error)}`);
    const { type: _type, ...resolved } = parsed.data;
    this.#options = resolved;
    this.network = this.#options.name;
    this.#ignore = new IgnoreList(this.#options.ignore);
    this.#bucket = new TokenBucket(this.#options.flood.burst, this.#options.flood.interval);
    this.#queue = new FloodQueue({
      bucket: this.#bucket,
      maxQueuedLines: this.#options.flood.maxQueuedLines,
      canSend: () => this.#connection?.ready === true,
      write: (line) => this.#write(line),
      onDrop: (target, count) =>
        this.#host?.logger.warn({ target, count }, "too many lines waiting; dropped the oldest"),
    });
  }

  /** The options with every default filled in (as the adapter uses them). */
  get options(): Readonly<IrcOptions> {
    return this.#options;
  }

  /** The bot's nick now (undefined before `start`). */
  get nick(): string | undefined {
    return this.#connection?.nick;
  }

  /** Channels the bot is in now. */
  get channels(): string[] {
    return [...(this.#connection?.joined.values() ?? [])];
  }

  /** Lines waiting in the rate limiter. */
  get queuedLines(): number {
    return this.#queue.size;
  }

  /** Whether the bot is registered and may send. */
  get connected(): boolean {
    return this.#connection?.ready === true;
  }

  /** The services account the adapter currently tracks for a nick in its channels (null: none; undefined: unknown). */
  trackedAccount(nick: string): string | null | undefined {
    return this.#tracker?.get(nick);
  }

  async start(host: AdapterHost): Promise<void> {
    if (this.#connection) return;
    this.#host = host;
    this.#stopped = false;
    const where = `${this.#options.host}:${this.#options.port}`;
    const connection = new IrcConnection(this.#options, host.logger, {
      ready: () => {
        host.status({ connected: true, detail: where });
        this.#queue.pump();
      },
      lost: () => {
        host.status({ connected: false, detail: `reconnecting to ${where}` });
        this.#tracker?.clear();
      },
    });
    this.#connection = connection;
    this.#tracker = new AccountTracker((text) => connection.fold(text));
    this.#accounts = new SenderAccounts({
      connection,
      tracker: this.#tracker,
      lookupTimeoutMs: this.#options.accountLookupTimeout,
      logger: host.logger,
      onLookup: () => this.#bucket.charge(1),
      accountTagOnly: this.#options.identity === "account-tag-only",
    });
    this.#listen(connection);
    await connection.start();
  }

  /** Parts a channel (the `leave` command). */
  async leave(room: Room): Promise<void> {
    if (room.direct || !this.#connection) return;
    this.#connection.client.part(room.name ?? room.id.replace(/^[^#&]*/, ""), "asked to leave");
  }

  async stop(): Promise<void> {
    if (!this.#connection || this.#stopped) return;
    this.#stopped = true;
    if (this.#connection.ready && this.#queue.size > 0) {
      await Promise.race([this.#queue.drained(), new Promise((resolve) => setTimeout(resolve, STOP_DRAIN_MS))]);
    }
    this.#queue.clear();
    await this.#connection.stop();
    this.#connection = undefined;
  }

  async send(target: ReplyTarget, message: OutgoingMessage): Promise<void> {
    const connection = this.#connection;
    if (!connection || this.#stopped) return;
    const self: SelfMask = {
      nick: connection.nick,
      wantedNick: this.#options.nick,
      username: this.#options.username,
      ...(this.#ident !== undefined ? { ident: this.#ident } : {}),
      ...(this.#hostname !== undefined ? { host: this.#hostname } : {}),
    };
    const replyTags = this.#replyTags(target);
    const batches = planLines(target, message, {
      self,
      colors: this.#options.output.colors,
      channelLines: this.#options.output.channelLines,
      progressLines: this.#options.output.progressLines,
      fold: (text) => connection.fold(text),
      holdsAccount: (nick, account) => this.#tracker?.get(nick) === account,
      jobLink: (jobId) => this.#host?.jobLink?.(jobId),
      ...(replyTags ? { replyTags } : {}),
    });
    // The private rest of a channel reply to an identified asker leaves only while their account holds the nick.
    const asker = target.mention?.verified && !target.room.direct ? target.mention : undefined;
    for (const batch of batches) {
      const toAsker = asker !== undefined && batch.target === asker.name;
      const lines = toAsker ? bindToAccount(batch.lines, asker.id) : batch.lines;
      this.#queue.push(batch.key, lines, {
        ...(batch.merge ? { merge: batch.merge } : {}),
        ...(batch.background ? { background: true } : {}),
      });
    }
  }

  /** `+draft/reply` for a reply to a message whose server msgid we saw, if the server lets clients send it. */
  #replyTags(target: ReplyTarget): Record<string, string> | undefined {
    const id = target.inReplyTo;
    const connection = this.#connection;
    if (!id || !connection || !this.#msgids.has(id) || !connection.hasCap("message-tags")) return undefined;
    const deny = String(connection.client.network.supports("CLIENTTAGDENY") || "")
      .split(",")
      .filter(Boolean);
    const denied = deny.includes("draft/reply") || (deny.includes("*") && !deny.includes("-draft/reply"));
    return denied ? undefined : { "+draft/reply": id };
  }

  #write(line: OutLine): void {
    const connection = this.#connection;
    if (!connection) return;
    const account = boundAccount(line);
    if (account !== undefined && this.#tracker?.get(line.target) !== account) {
      if (this.#droppedFor !== `${line.target}\u0000${account}`)
        this.#host?.logger.warn(
          { nick: line.target, account },
          "the asker's account no longer holds that nick; the rest of the reply is not sent there",
        );
      this.#droppedFor = `${line.target}\u0000${account}`;
      return;
    }
    const message = new Message(line.command, line.target, line.text);
    if (line.tags && connection.hasCap("message-tags")) message.tags = { ...line.tags };
    connection.client.raw(message);
  }

  #listen(connection: IrcConnection): void {
    const client = connection.client;
    const tracker = this.#tracker!;
    const isMe = (nick: string) => client.caseCompare(nick, connection.nick);
    client.on("privmsg", (event: IrcMessageEvent) => void this.#onPrivmsg(event));
    client.on("ctcp request", (event: IrcCtcpEvent) => this.#onCtcp(event));
    // NOTICEs, CTCP replies, ACTIONs, topics, kick reasons and quit messages are never commands: no listener
    // turns them into messages for the bot.
    client.on("join", (event: IrcJoinEvent) => {
      if (isMe(event.nick)) {
        if (event.ident) this.#ident = event.ident;
        if (event.hostname) this.#hostname = event.hostname;
        this.#learnChannel(event.channel);
        return;
      }
      tracker.joined(event.nick, event.channel, event.account);
    });
    client.on("part", (event: IrcPartEvent) => {
      if (isMe(event.nick)) tracker.channelGone(event.channel);
      else tracker.left(event.nick, event.channel);
    });
    client.on("kick", (event: IrcKickEvent) => {
      if (isMe(event.kicked)) tracker.channelGone(event.channel);
      else tracker.left(event.kicked, event.channel);
    });
    client.on("quit", (event: { nick: string }) => {
      tracker.quit(event.nick);
      this.#accounts?.nickChanged(event.nick);
    });
    client.on("nick", (event: IrcNickEvent) => {
      tracker.renamed(event.nick, event.new_nick);
      this.#accounts?.nickChanged(event.nick);
      this.#accounts?.nickChanged(event.new_nick);
    });
    client.on("account", (event: IrcAccountEvent) => {
      if (!event.nick) return;
      tracker.setAccount(event.nick, event.account || null);
      this.#host?.logger.debug({ nick: event.nick, account: event.account || null }, "account changed");
    });
    client.on("displayed host", (event: { nick: string; hostname: string }) => {
      if (isMe(event.nick)) this.#hostname = event.hostname;
    });
    client.on("user updated", (event: { nick: string; new_ident?: string; new_hostname?: string }) => {
      if (!isMe(event.nick)) return;
      if (event.new_ident) this.#ident = event.new_ident;
      if (event.new_hostname) this.#hostname = event.new_hostname;
    });
  }

  /** After the bot joins a channel: who is in it and which accounts they use (WHOX), when the server can tell. */
  #learnChannel(channel: string): void {
    const connection = this.#connection!;
    const client = connection.client;
    if (!client.network.supports("WHOX") || !connection.hasCap("account-notify")) return;
    this.#bucket.charge(1);
    client.who(channel, (event) => {
      for (const user of event.users) {
        if (client.caseCompare(user.nick, connection.nick)) continue;
        this.#tracker?.joined(user.nick, channel, user.account ? user.account : false);
      }
    });
  }

  #onCtcp(event: IrcCtcpEvent): void {
    if (event.from_server || !event.nick || this.#ignore.matches(event.nick, event.ident, event.hostname)) return;
    const answer = ctcpAnswer(event.type, event.message, this.#options.version);
    const now = Date.now();
    if (!answer || now - this.#lastCtcpReply < CTCP_REPLY_INTERVAL_MS) return;
    this.#lastCtcpReply = now;
    const connection = this.#connection!;
    this.#queue.push(connection.fold(event.nick), [{ command: "NOTICE", target: event.nick, text: answer }]);
  }

  async #onPrivmsg(event: IrcMessageEvent): Promise<void> {
    const connection = this.#connection;
    const host = this.#host;
    if (!connection || !host || this.#stopped) return;
    const client = connection.client;
    if (event.from_server || !event.nick || client.caseCompare(event.nick, connection.nick)) return;
    if (this.#ignore.matches(event.nick, event.ident, event.hostname)) return;
    const chantypes = client.network.options.CHANTYPES;
    const inChannel = isChannelName(event.target, chantypes);
    if (!inChannel && !client.caseCompare(event.target, connection.nick)) return;
    const text = stripFormatting(event.message);
    const room = inChannel
      ? { id: `${event.group ?? ""}${this.#channelName(event.target)}`, name: event.target, direct: false }
      : { id: event.nick, name: event.nick, direct: true };
    // Only a command is worth a lookup of the sender's account: core addresses the text once, here (its current
    // nick, which may be a fallback, addresses the bot like its name), and is handed the result with the message.
    const addressed = host.address(text, { direct: room.direct, nick: connection.nick });
    if (!addressed) return;
    const account = await this.#accounts!.accountOf(event, { mayLookUp: this.#options.accountLookup });
    const msgid = event.tags?.msgid;
    if (msgid) this.#rememberMsgid(msgid);
    const message = incomingMessage({
      id: msgid ?? `${this.network}-${Date.now().toString(36)}-${++this.#seq}`,
      network: this.network,
      room,
      nick: event.nick,
      account,
      text,
      time: event.time,
    });
    try {
      await host.receive(message, { addressed });
    } catch (err) {
      host.logger.error({ err, messageId: message.id }, "the bot failed to handle an IRC message");
    }
  }

  /** A channel as the configuration (or the server, when the bot joined it) spells it. */
  #channelName(target: string): string {
    const connection = this.#connection!;
    const configured = this.#options.channels.find((c) => connection.client.caseCompare(c.name, target));
    return configured?.name ?? connection.joined.get(connection.fold(target)) ?? target;
  }

  #rememberMsgid(id: string): void {
    this.#msgids.add(id);
    if (this.#msgids.size > REMEMBERED_MSGIDS) {
      const oldest = this.#msgids.values().next().value;
      if (oldest !== undefined) this.#msgids.delete(oldest);
    }
  }
}
