/**
 * A person on IRC, for tests: a plain irc-framework client that joins, talks and records what it receives.
 * @module
 */
import { createRequire } from "node:module";
import { until } from "./wait.js";

/** An event irc-framework emits for a PRIVMSG, NOTICE or CTCP response. */
export interface IrcMessageEvent {
  nick: string;
  target: string;
  message: string;
  tags?: Record<string, string | undefined>;
}

/**
 * The parts of irc-framework's `Client` (plain CommonJS, no bundled types) that tests use; the full client is there
 * at run time.
 */
export interface IrcClient {
  user: { nick: string };
  on(event: string, listener: (event: never) => void): this;
  once(event: string, listener: (event: never) => void): this;
  off(event: string, listener: (event: never) => void): this;
  connect(options: Record<string, unknown>): void;
  join(channel: string, key?: string): void;
  say(target: string, message: string): void;
  notice(target: string, message: string): void;
  raw(...params: string[]): void;
  changeNick(nick: string): void;
  whois(nick: string, callback: (event: { nick: string; account?: string; error?: string }) => void): void;
  caseCompare(a: string, b: string): boolean;
  quit(message?: string): void;
}

type ClientClass = new () => IrcClient;
let clientClass: ClientClass | undefined;

/** irc-framework, loaded when the first user connects (so Matrix-only tests never load it). */
function ircFramework(): ClientClass {
  clientClass ??= (createRequire(import.meta.url)("irc-framework") as { Client: ClientClass }).Client;
  return clientClass;
}

/** A PRIVMSG or NOTICE this user received. */
export interface Received {
  command: "PRIVMSG" | "NOTICE";
  from: string;
  /** The channel, or this user's nick for a private message. */
  target: string;
  text: string;
  tags: Record<string, string | undefined>;
  /** The whole line as it came from the server, tags removed (for the 512-byte check). */
  line: string;
}

export interface IrcUserOptions {
  port: number;
  nick: string;
  sasl?: { account: string; password: string };
  /** Server password (PASS). */
  password?: string;
}

/** A scripted IRC user. */
export class IrcUser {
  readonly client: IrcClient = new (ircFramework())();
  readonly received: Received[] = [];
  /** Every raw line from the server. */
  readonly raw: string[] = [];
  #closed = false;

  private constructor(readonly options: IrcUserOptions) {
    this.client.on("raw", (event: { line: string; from_server: boolean }) => {
      if (event.from_server) this.raw.push(event.line.replace(/\r?\n$/, ""));
    });
    const record = (command: "PRIVMSG" | "NOTICE") => (event: IrcMessageEvent) => {
      const line = this.raw.findLast((l) => l.includes(` ${command} `) && l.endsWith(event.message)) ?? "";
      this.received.push({
        command,
        from: event.nick,
        target: event.target,
        text: event.message,
        tags: event.tags ?? {},
        line: line.replace(/^@\S+ /, ""),
      });
    };
    this.client.on("privmsg", record("PRIVMSG"));
    this.client.on("notice", record("NOTICE"));
    // irc-framework reports a NOTICE wrapped in \x01 as a CTCP response: keep it as the NOTICE it is.
    this.client.on("ctcp response", (event: IrcMessageEvent) =>
      record("NOTICE")({ ...event, message: `\x01${event.message}\x01` }),
    );
    this.client.on("close", () => {
      this.#closed = true;
    });
  }

  /** Connects and waits until registered. */
  static async connect(options: IrcUserOptions): Promise<IrcUser> {
    const user = new IrcUser(options);
    const registered = new Promise<void>((resolve, reject) => {
      user.client.once("registered", () => resolve());
      user.client.once("close", () => reject(new Error(`${options.nick} could not connect`)));
      user.client.once("sasl failed", (e: { reason: string }) => reject(new Error(`SASL failed: ${e.reason}`)));
    });
    user.client.connect({
      host: "127.0.0.1",
      port: options.port,
      nick: options.nick,
      username: options.nick,
      gecos: options.nick,
      auto_reconnect: false,
      ...(options.sasl ? { account: options.sasl, sasl_disconnect_on_fail: true } : { account: {} }),
      ...(options.password ? { password: options.password } : {}),
    });
    await registered;
    return user;
  }

  get nick(): string {
    return this.client.user.nick;
  }

  async join(channel: string): Promise<void> {
    const joined = new Promise<void>((resolve) => {
      const onJoin = (event: { nick: string; channel: string }) => {
        if (this.client.caseCompare(event.nick, this.nick) && this.client.caseCompare(event.channel, channel)) {
          this.client.off("join", onJoin);
          resolve();
        }
      };
      this.client.on("join", onJoin);
    });
    this.client.join(channel);
    await joined;
  }

  say(target: string, text: string): void {
    this.client.say(target, text);
  }

  /** Messages received from `from` (in `target`, if given). */
  from(from: string, target?: string): Received[] {
    return this.received.filter(
      (r) =>
        this.client.caseCompare(r.from, from) && (target === undefined || this.client.caseCompare(r.target, target)),
    );
  }

  /**
   * Waits until a message from `from` (in `target`) matches; returns it. With `since` (a length of `received`
   * taken earlier), only messages received after that count.
   */
  async waitFor(from: string, match: RegExp, target?: string, timeoutMs = 15_000, since = 0): Promise<Received> {
    let found: Received | undefined;
    await until(
      () => {
        found = this.received
          .slice(since)
          .find(
            (r) =>
              this.client.caseCompare(r.from, from) &&
              (target === undefined || this.client.caseCompare(r.target, target)) &&
              match.test(r.text),
          );
        return found !== undefined;
      },
      `${this.options.nick} to receive ${match} from ${from}${target ? ` in ${target}` : ""}`,
      timeoutMs,
    );
    return found!;
  }

  /** Sends a services command and waits for the answering NOTICE. */
  async services(text: string, answer: RegExp): Promise<string> {
    const before = this.received.length;
    this.client.say("NickServ", text);
    await until(
      () => this.received.slice(before).some((r) => r.from === "NickServ" && answer.test(r.text)),
      `NickServ to answer "${text.split(" ")[0]}" with ${answer}`,
    );
    return this.received
      .slice(before)
      .filter((r) => r.from === "NickServ")
      .map((r) => r.text)
      .join("\n");
  }

  get closed(): boolean {
    return this.#closed;
  }

  async quit(): Promise<void> {
    if (this.#closed) return;
    const closed = new Promise<void>((resolve) => this.client.once("close", () => resolve()));
    this.client.quit("bye");
    await Promise.race([closed, new Promise((resolve) => setTimeout(resolve, 2000))]);
  }
}
