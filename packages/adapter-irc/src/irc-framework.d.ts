/**
 * Type declarations for the parts of irc-framework 4.14 (plain CommonJS, no bundled types) this adapter uses.
 * Internal: nothing in the package's public API exposes these types.
 */
declare module "irc-framework" {
  import type { EventEmitter } from "node:events";

  /** A tag map as irc-framework decodes it (`@account=alice;msgid=…`). */
  export type IrcTags = Record<string, string | undefined>;

  /** Fields every user-originated event carries. */
  export interface IrcUserEvent {
    nick: string;
    ident?: string;
    hostname?: string;
    tags?: IrcTags;
    time?: number;
  }

  export interface IrcMessageEvent extends IrcUserEvent {
    from_server: boolean;
    target: string;
    /** The STATUSMSG prefix (`@` in `@#ops`), when the message was sent to part of a channel. */
    group?: string;
    message: string;
    account?: string;
  }

  export interface IrcCtcpEvent extends IrcUserEvent {
    from_server: boolean;
    target: string;
    type: string | null;
    message: string;
  }

  export interface IrcJoinEvent extends IrcUserEvent {
    channel: string;
    /** From extended-join: the account, or false for none. Undefined without extended-join. */
    account?: string | false;
    gecos?: string;
  }

  export interface IrcPartEvent extends IrcUserEvent {
    channel: string;
    message?: string;
  }

  export interface IrcKickEvent extends IrcUserEvent {
    kicked: string;
    channel: string;
    message?: string;
  }

  export interface IrcNickEvent extends IrcUserEvent {
    new_nick: string;
  }

  export interface IrcAccountEvent extends IrcUserEvent {
    account: string | false;
  }

  export interface IrcWhoUser {
    nick: string;
    ident?: string;
    hostname?: string;
    account?: string;
    channel?: string;
  }

  export interface IrcWhoEvent {
    target: string;
    users: IrcWhoUser[];
  }

  export interface IrcWhoisEvent {
    nick: string;
    ident?: string;
    hostname?: string;
    account?: string;
    error?: string;
  }

  export interface IrcRawEvent {
    line: string;
    from_server: boolean;
  }

  export class Message {
    constructor(command: string, ...params: string[]);
    tags: Record<string, string | boolean>;
    to1459(): string;
  }

  export interface IrcNetworkInfo {
    name: string;
    options: Record<string, unknown> & { CHANTYPES?: string[]; NICKLEN?: string; CASEMAPPING?: string };
    cap: {
      enabled: string[];
      available: Map<string, string>;
      isEnabled(name: string): boolean;
    };
    supports(name: string): unknown;
  }

  export interface IrcUserInfo {
    nick: string;
    username: string;
    host: string;
  }

  export class Client extends EventEmitter {
    constructor(options?: Record<string, unknown>);
    readonly connected: boolean;
    user: IrcUserInfo;
    network: IrcNetworkInfo;
    connection: { connected: boolean; end(data?: string, hadError?: boolean): void };
    connect(options?: Record<string, unknown>): void;
    raw(message: Message | string, ...params: string[]): void;
    rawString(...params: string[]): string;
    quit(message?: string): void;
    join(channel: string, key?: string): void;
    part(channel: string, message?: string): void;
    say(target: string, message: string, tags?: Record<string, string>): void;
    notice(target: string, message: string, tags?: Record<string, string>): void;
    changeNick(nick: string): void;
    whois(nick: string, callback: (event: IrcWhoisEvent) => void): void;
    who(target: string, callback: (event: IrcWhoEvent) => void): void;
    caseCompare(a: string, b: string): boolean;
    caseLower(text: string): string;
  }
}

declare module "irc-framework/src/transports/net.js" {
  import type { EventEmitter } from "node:events";
  import type { Socket } from "node:net";

  /** irc-framework's TCP/TLS transport; subclassed to pass TLS options it does not forward (a CA bundle). */
  export default class NetTransport extends EventEmitter {
    constructor(options: Record<string, unknown>);
    options: Record<string, unknown>;
    socket: Socket | null;
    state: number;
    requested_disconnect: boolean;
    incoming_buffer: Buffer;
    connect(): void;
    disposeSocket(): void;
    setEncoding(encoding: string): boolean;
    debugOut(message: string): void;
    _onSocketCreate(options: Record<string, unknown>, socket: Socket): void;
  }
}
