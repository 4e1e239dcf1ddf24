/**
 * The connection to one IRC server: registration (server password, SASL, nick and its fallbacks), joining
 * channels, taking the wanted nick back, ping-timeout detection, and reconnecting with backoff and jitter.
 * @module
 */
import { readFileSync } from "node:fs";
import { backoffDelay, type Logger } from "@switchboard/core";
import { Client, type IrcNickEvent } from "irc-framework";
import type { IrcOptions } from "./irc-adapter.js";
import { type TlsMaterial, transportFor } from "./tls-transport.js";

/** What the connection tells its owner. */
export interface ConnectionEvents {
  /** Registered and the configured channels joined (or given up on): lines may be sent. */
  ready(): void;
  /** The connection is gone (a reconnect is scheduled unless stopping). */
  lost(): void;
}

/** How long to wait for the configured channels to be joined before sending anyway. */
const JOIN_WAIT_MS = 5000;

function readTls(options: IrcOptions): TlsMaterial | undefined {
  const { tls } = options;
  if (!tls) return undefined;
  const read = (what: string, file: string | undefined) => {
    if (!file) return undefined;
    try {
      return readFileSync(file, "utf8");
    } catch (error) {
      throw new Error(`IRC adapter: cannot read tls.${what} ${file}: ${(error as Error).message}`);
    }
  };
  const ca = read("caFile", tls.caFile);
  const cert = read("certFile", tls.certFile);
  const key = read("keyFile", tls.keyFile);
  return { verify: tls.verify, ...(ca ? { ca } : {}), ...(cert ? { cert } : {}), ...(key ? { key } : {}) };
}

/** One IRC connection that keeps itself up until {@link IrcConnection.stop}. */
export class IrcConnection {
  readonly client = new Client();
  readonly #options: IrcOptions;
  readonly #logger: Logger;
  readonly #events: ConnectionEvents;
  readonly #tls: TlsMaterial | undefined;
  #attempt = 0;
  #stopping = false;
  #ready = false;
  #registeredAt = 0;
  /** Nicks refused during this registration (case-folded). */
  readonly #triedNicks = new Set<string>();
  #reconnectTimer: NodeJS.Timeout | undefined;
  #registerTimer: NodeJS.Timeout | undefined;
  #regainTimer: NodeJS.Timeout | undefined;
  #joinTimer: NodeJS.Timeout | undefined;
  #stableTimer: NodeJS.Timeout | undefined;
  /** Configured channels not yet joined on this connection (case-folded). */
  #pendingJoins = new Set<string>();
  /** Channels the bot is in now (case-folded → name). */
  readonly joined = new Map<string, string>();
  /** Settles {@link start}: ready in its channels, or the first failure to connect. */
  #firstAttempt: (() => void) | undefined;

  constructor(options: IrcOptions, logger: Logger, events: ConnectionEvents) {
    this.#options = options;
    this.#logger = logger;
    this.#events = events;
    this.#tls = readTls(options);
    this.#listen();
  }

  /** Registered with the server and done joining: lines may be sent. */
  get ready(): boolean {
    return this.#ready && this.client.connected;
  }

  /** The nick the bot has now. */
  get nick(): string {
    return this.client.user.nick;
  }

  /** Whether a capability was negotiated on this connection. */
  hasCap(name: string): boolean {
    return this.client.network.cap.isEnabled(name);
  }

  /** Case-folds a nick or channel with the network's case mapping. */
  fold(text: string): string {
    return this.client.caseLower(text);
  }

  /**
   * Connects; resolves once registered and in the configured channels (or the join wait ran out), or when the first
   * attempt failed (then the connection keeps retrying in the background, logging each attempt, while the bot's
   * other adapters carry on).
   */
  start(): Promise<void> {
    const first = new Promise<void>((resolve) => {
      this.#firstAttempt = resolve;
    });
    this.#connect();
    return first;
  }

  #settleFirstAttempt(): void {
    this.#firstAttempt?.();
    this.#firstAttempt = undefined;
  }

  /** Sends QUIT and closes; no reconnect afterwards. */
  async stop(): Promise<void> {
    this.#stopping = true;
    this.#ready = false;
    this.#clearTimers();
    this.#settleFirstAttempt();
    if (!this.client.connected) {
      this.client.connection.end();
      return;
    }
    const closed = new Promise<void>((resolve) => this.client.once("close", () => resolve()));
    this.client.quit(this.#options.quitMessage);
    await Promise.race([closed, new Promise((resolve) => setTimeout(resolve, 2000).unref())]);
    this.client.connection.end();
  }

  #connectOptions(): Record<string, unknown> {
    const o = this.#options;
    const sasl = o.sasl;
    return {
      host: o.host,
      port: o.port,
      tls: Boolean(o.tls),
      nick: o.nick,
      username: o.username,
      gecos: o.realname,
      ...(o.password ? { password: o.password } : {}),
      // An account object without credentials stops irc-framework from reusing the server password for SASL.
      account: sasl?.mechanism === "PLAIN" ? { account: sasl.account, password: sasl.password } : {},
      ...(sasl?.mechanism === "EXTERNAL" ? { sasl_mechanism: "EXTERNAL" } : {}),
      // CTCP VERSION is answered by the adapter (through the rate limiter), not by irc-framework directly.
      version: "",
      auto_reconnect: false,
      ping_interval: o.pingInterval / 1000,
      ping_timeout: o.pingTimeout / 1000,
      transport: transportFor(this.#tls),
      encoding: "utf8",
    };
  }

  #connect(): void {
    if (this.#stopping) return;
    this.#ready = false;
    this.#triedNicks.clear();
    this.#pendingJoins.clear();
    this.joined.clear();
    const { host, port } = this.#options;
    this.#logger.info(
      { host, port, tls: Boolean(this.#options.tls), attempt: this.#attempt + 1 },
      "connecting to IRC server",
    );
    this.#registerTimer = setTimeout(() => {
      this.#logger.warn({ host, port, timeoutMs: this.#options.connectTimeout }, "IRC registration timed out");
      this.client.connection.end(undefined, true);
    }, this.#options.connectTimeout);
    this.client.connect(this.#connectOptions());
  }

  #scheduleReconnect(reason: string): void {
    if (this.#stopping || this.#reconnectTimer) return;
    this.#attempt += 1;
    const delayMs = backoffDelay(this.#attempt, {
      initialDelayMs: this.#options.reconnect.initialDelay,
      maxDelayMs: this.#options.reconnect.maxDelay,
    });
    this.#logger.warn({ attempt: this.#attempt, delayMs, reason }, "IRC connection lost; reconnecting");
    this.#reconnectTimer = setTimeout(() => {
      this.#reconnectTimer = undefined;
      this.#connect();
    }, delayMs);
  }

  #clearTimers(): void {
    for (const timer of [
      this.#reconnectTimer,
      this.#registerTimer,
      this.#regainTimer,
      this.#joinTimer,
      this.#stableTimer,
    ])
      clearTimeout(timer);
    this.#reconnectTimer = undefined;
    this.#registerTimer = undefined;
    this.#regainTimer = undefined;
    this.#joinTimer = undefined;
    this.#stableTimer = undefined;
  }

  #listen(): void {
    const client = this.client;
    client.on("registered", (event: { nick: string }) => this.#onRegistered(event.nick));
    client.on("socket close", (error?: Error) => {
      if (error && !this.#stopping) this.#logger.warn({ err: error.message }, "IRC socket error");
    });
    client.on("close", () => this.#onClose());
    client.on("ping timeout", () =>
      this.#logger.warn({ timeoutMs: this.#options.pingTimeout }, "IRC server silent: ping timeout"),
    );
    client.on("nick in use", () => this.#onNickRejected("in use"));
    client.on("nick invalid", () => this.#onNickRejected("invalid"));
    client.on("unknown command", (command: { command: string }) => {
      if (command.command === "437") this.#onNickRejected("temporarily unavailable");
    });
    client.on("sasl failed", (event: { reason: string; message?: string }) =>
      this.#logger.error({ reason: event.reason, message: event.message }, "SASL login of the bot failed"),
    );
    client.on("loggedin", (event: { account: string }) =>
      this.#logger.info({ account: event.account }, "logged in to services"),
    );
    client.on("join", (event: { nick: string; channel: string }) => {
      if (!client.caseCompare(event.nick, client.user.nick)) return;
      this.joined.set(this.fold(event.channel), event.channel);
      if (this.#pendingJoins.delete(this.fold(event.channel)) && this.#pendingJoins.size === 0) this.#markReady();
    });
    client.on("part", (event: { nick: string; channel: string }) => {
      if (client.caseCompare(event.nick, client.user.nick)) this.joined.delete(this.fold(event.channel));
    });
    client.on("kick", (event: { kicked: string; channel: string; nick: string }) => {
      if (!client.caseCompare(event.kicked, client.user.nick)) return;
      this.joined.delete(this.fold(event.channel));
      this.#logger.warn({ channel: event.channel, by: event.nick }, "kicked from a channel");
    });
    client.on("irc error", (event: { error: string; channel?: string; reason?: string }) => {
      if (event.channel && this.#pendingJoins.delete(this.fold(event.channel))) {
        this.#logger.error({ channel: event.channel, error: event.error, reason: event.reason }, "cannot join channel");
        if (this.#pendingJoins.size === 0) this.#markReady();
      }
    });
    // Someone left the wanted nick: take it back at once.
    client.on("quit", (event: { nick: string }) => this.#maybeRegain(event.nick));
    client.on("nick", (event: IrcNickEvent) => {
      // irc-framework may update client.user.nick before or after this listener runs: check both names.
      if (client.caseCompare(event.nick, client.user.nick) || client.caseCompare(event.new_nick, client.user.nick)) {
        this.#logger.info({ nick: event.new_nick }, "nick changed");
        if (client.caseCompare(event.new_nick, this.#options.nick)) clearInterval(this.#regainTimer);
      } else this.#maybeRegain(event.nick);
    });
    client.on("users offline", (event: { nicks: string[] }) => {
      for (const nick of event.nicks) this.#maybeRegain(nick);
    });
  }

  #onRegistered(nick: string): void {
    clearTimeout(this.#registerTimer);
    this.#registeredAt = Date.now();
    const client = this.client;
    client.user.nick = nick;
    this.#logger.info(
      { nick, server: this.#options.host, caps: client.network.cap.enabled },
      "registered with IRC server",
    );
    // Reset the backoff only once the connection has proved stable (a server that kills right after
    // registration must not cause a tight reconnect loop).
    this.#stableTimer = setTimeout(() => {
      this.#attempt = 0;
    }, this.#options.reconnect.stableAfter);
    this.#startRegain();
    const channels = this.#options.channels;
    if (channels.length === 0) {
      this.#markReady();
      return;
    }
    for (const channel of channels) this.#pendingJoins.add(this.fold(channel.name));
    // Channels with keys first (JOIN #a,#b keyA), as the protocol pairs keys with the first channels.
    const ordered = [...channels].sort((a, b) => Number(Boolean(b.key)) - Number(Boolean(a.key)));
    const keys = ordered.filter((c) => c.key).map((c) => c.key!);
    const names = ordered.map((c) => c.name).join(",");
    if (keys.length) client.raw("JOIN", names, keys.join(","));
    else client.raw("JOIN", names);
    this.#joinTimer = setTimeout(() => {
      if (this.#pendingJoins.size > 0)
        this.#logger.warn({ channels: [...this.#pendingJoins] }, "channels not joined yet; sending anyway");
      this.#pendingJoins.clear();
      this.#markReady();
    }, JOIN_WAIT_MS);
  }

  #markReady(): void {
    clearTimeout(this.#joinTimer);
    if (this.#ready || this.#stopping) return;
    this.#ready = true;
    this.#settleFirstAttempt();
    this.#events.ready();
  }

  #onClose(): void {
    const wasReady = this.#ready;
    this.#ready = false;
    this.#clearTimers();
    this.joined.clear();
    this.#settleFirstAttempt();
    if (this.#stopping) return;
    const up = this.#registeredAt ? Math.round((Date.now() - this.#registeredAt) / 1000) : 0;
    this.#registeredAt = 0;
    this.#events.lost();
    this.#scheduleReconnect(wasReady ? `connection closed after ${up}s` : "could not connect or register");
  }

  /** The server refused a nick: before registration try the next fallback; after it, keep the one we have. */
  #onNickRejected(why: string): void {
    if (this.#registeredAt) return;
    const rejected = this.client.user.nick;
    this.#triedNicks.add(this.fold(rejected));
    const { nick, altNicks } = this.#options;
    const configured = [nick, ...altNicks];
    // RFC 1459 guarantees 9 characters; a server with a shorter NICKLEN refuses longer nicks as invalid.
    const short = [...configured.map((c) => c.slice(0, 9)), `${nick.slice(0, 8)}_`, `${nick.slice(0, 7)}__`];
    const next =
      [...configured, ...short].find(
        (c) => !this.#triedNicks.has(this.fold(c)) && (why !== "invalid" || c.length < rejected.length),
      ) ?? `${nick.slice(0, 6)}${String(Math.floor(Math.random() * 1000)).padStart(3, "0")}`;
    this.#logger.warn({ rejected, why, next }, "nick refused; trying another");
    this.client.user.nick = next;
    this.client.changeNick(next);
  }

  #startRegain(): void {
    clearInterval(this.#regainTimer);
    if (this.client.caseCompare(this.client.user.nick, this.#options.nick)) return;
    if (this.client.network.supports("MONITOR")) this.client.raw("MONITOR", "+", this.#options.nick);
    this.#regainTimer = setInterval(() => this.#tryRegain(), this.#options.regainInterval);
    this.#regainTimer.unref();
  }

  #maybeRegain(freedNick: string): void {
    if (this.#registeredAt && this.client.caseCompare(freedNick, this.#options.nick)) this.#tryRegain();
  }

  #tryRegain(): void {
    if (!this.client.connected || this.client.caseCompare(this.client.user.nick, this.#options.nick)) {
      clearInterval(this.#regainTimer);
      return;
    }
    const nickLength = Number(this.client.network.supports("NICKLEN"));
    if (nickLength > 0 && this.#options.nick.length > nickLength) {
      clearInterval(this.#regainTimer);
      this.#logger.warn(
        { nick: this.#options.nick, nickLength, using: this.client.user.nick },
        "the wanted nick is longer than the server allows; keeping the one in use",
      );
      return;
    }
    this.client.changeNick(this.#options.nick);
  }
}
