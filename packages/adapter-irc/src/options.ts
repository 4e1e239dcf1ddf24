/**
 * The IRC adapter's options and their defaults.
 * @module
 */
import { isIPv4, isIPv6 } from "node:net";

/** A channel to join, with its key when it has one (`+k`). */
export interface IrcChannel {
  name: string;
  key?: string;
}

/** TLS settings. Certificates are verified unless `verify` is explicitly false. */
export interface IrcTlsOptions {
  /** Verify the server's certificate and host name. Default true; false is for test networks only. */
  verify?: boolean;
  /** PEM file of the CA(s) that signed the server's certificate, when it is not a public CA. */
  caFile?: string;
  /** PEM client certificate, for SASL EXTERNAL (CertFP). */
  certFile?: string;
  /** PEM private key of the client certificate. */
  keyFile?: string;
}

/** How the bot logs in to its own services account. */
export type IrcSaslOptions =
  | { mechanism: "PLAIN"; account: string; password: string }
  /** Log in with the TLS client certificate (`tls.certFile`/`tls.keyFile`), registered with `NickServ CERT ADD`. */
  | { mechanism: "EXTERNAL" };

/** Outgoing rate limit: a token bucket of lines. */
export interface IrcFloodOptions {
  /** Lines that may go out at once after a quiet period. Default 5. */
  burst?: number;
  /** One more line may go out every `intervalMs`. Default 1000. */
  intervalMs?: number;
  /**
   * Lines kept waiting at most (all targets together): beyond it the oldest job progress is dropped first, then the
   * oldest lines of the longest queue (logged). Default 500.
   */
  maxQueuedLines?: number;
}

/** Reconnecting after the connection drops. */
export interface IrcReconnectOptions {
  /** Delay before the first attempt (before jitter). Default 2000. */
  initialDelayMs?: number;
  /** Upper bound of the delay. Default 300000 (5 minutes). */
  maxDelayMs?: number;
  /** A connection registered for this long resets the backoff. Default 60000. */
  stableAfterMs?: number;
}

/** How replies look. */
export interface IrcOutputOptions {
  /** Most lines one reply may put in a channel; the rest goes to the asker in private. Default 6. */
  channelLines?: number;
  /** IRC colours and bold on status marks. Default true; false sends plain text only. */
  colors?: boolean;
  /** Most progress lines of one job waiting to be sent to one target; older ones are summarised. Default 5. */
  progressLines?: number;
}

/** Options for {@link IrcAdapter}. Only `host` and `nick` are required. */
export interface IrcAdapterOptions {
  /** Network name the bot sees; principals' `identities` use it. Default `"irc"`. */
  network?: string;
  host: string;
  /** Default 6697 with TLS, 6667 without. */
  port?: number;
  /**
   * TLS on (`true` or settings) or off (`false`). Default: on (verified) for every host except this machine
   * (`127.0.0.0/8`, `::1`, `localhost`), so a password or SASL login never crosses a network in clear by accident.
   */
  tls?: boolean | IrcTlsOptions;
  /** Server password (`PASS`), if the server wants one. */
  password?: string;
  /** The bot's nick. */
  nick: string;
  /** Nicks to try when `nick` is taken, in order. Default `[nick + "_", nick + "__"]`. */
  altNicks?: string[];
  /** User name (ident). Default: `nick`. */
  username?: string;
  /** Real name (gecos). Default `"Switchboard ChatOps bot"`. */
  realname?: string;
  sasl?: IrcSaslOptions;
  /** Channels to join (and rejoin after a reconnect). */
  channels?: Array<string | IrcChannel>;
  /** Nicks (or `nick!user@host` masks, `*` and `?` wildcards) whose lines are ignored, e.g. other bots. */
  ignore?: string[];
  /** Reply to CTCP VERSION. Default `"Switchboard ChatOps bot (IRC adapter)"`. */
  version?: string;
  /** Try to take the wanted nick back this often while using another. Default 60000. */
  regainIntervalMs?: number;
  /** Send a PING after this long without traffic. Default 30000. */
  pingIntervalMs?: number;
  /** Drop the connection (and reconnect) after this long without any line from the server. Default 120000. */
  pingTimeoutMs?: number;
  /** Give up a connection that has not registered after this long. Default 60000. */
  connectTimeoutMs?: number;
  /**
   * Ask the server (WHOX, else WHOIS) for a command sender's account when neither the message (account-tag) nor
   * account-notify tracking says. Default true. Turn off on a network without services to save a round trip per
   * command; senders the server does not vouch for in the message are then guests.
   */
  accountLookup?: boolean;
  /**
   * `lookup` (default): the account comes from the message's account-tag, else account-notify tracking, else a
   * WHOX/WHOIS lookup bound to the sender's nick!ident@host. `account-tag-only`: only the message's account-tag counts
   * (no tracking, no lookups); on a server without account-tag everyone is a guest.
   */
  identity?: "lookup" | "account-tag-only";
  /** How long to wait for a services account lookup (WHOX/WHOIS) before treating the sender as a guest. Default 5000. */
  accountLookupTimeoutMs?: number;
  /** Message of the QUIT sent by `stop()`. Default `"Switchboard stopping"`. */
  quitMessage?: string;
  flood?: IrcFloodOptions;
  reconnect?: IrcReconnectOptions;
  output?: IrcOutputOptions;
}

/** Options with every default filled in. */
export interface ResolvedIrcOptions {
  network: string;
  host: string;
  port: number;
  tls: false | (Required<Pick<IrcTlsOptions, "verify">> & Omit<IrcTlsOptions, "verify">);
  password: string | undefined;
  nick: string;
  altNicks: string[];
  username: string;
  realname: string;
  sasl: IrcSaslOptions | undefined;
  channels: IrcChannel[];
  ignore: string[];
  version: string;
  regainIntervalMs: number;
  pingIntervalMs: number;
  pingTimeoutMs: number;
  connectTimeoutMs: number;
  accountLookup: boolean;
  identity: "lookup" | "account-tag-only";
  accountLookupTimeoutMs: number;
  quitMessage: string;
  flood: Required<IrcFloodOptions>;
  reconnect: Required<IrcReconnectOptions>;
  output: Required<IrcOutputOptions>;
}

/** Whether `host` is this machine: `localhost`, an address in 127.0.0.0/8, or `::1`. */
export function isLoopbackHost(host: string): boolean {
  const name = host
    .trim()
    .toLowerCase()
    .replace(/\.$/, "")
    .replace(/^\[(.*)\]$/, "$1");
  if (name === "localhost") return true;
  if (isIPv4(name)) return name.startsWith("127.");
  if (isIPv6(name)) {
    // The URL parser writes an IPv6 address in its canonical form: `0:0:0:0:0:0:0:1` is `[::1]`, and an IPv4-mapped
    // 127.x.y.z is `[::ffff:7fxx:yyzz]`.
    const canonical = new URL(`http://[${name}]`).hostname;
    return canonical === "[::1]" || /^\[::ffff:7f[0-9a-f]{2}:[0-9a-f]{1,4}\]$/.test(canonical);
  }
  return false;
}

function positive(name: string, value: number): number {
  if (!Number.isFinite(value) || value <= 0) throw new Error(`IRC adapter: ${name} must be a positive number`);
  return value;
}

/** Fills in defaults and checks values. Throws naming the bad option. */
export function resolveOptions(options: IrcAdapterOptions): ResolvedIrcOptions {
  if (!options.host) throw new Error("IRC adapter: host is required");
  if (!options.nick || /[\s,:!@]/.test(options.nick)) throw new Error("IRC adapter: nick must be one word");
  const wanted = options.tls ?? !isLoopbackHost(options.host);
  const tls: ResolvedIrcOptions["tls"] =
    wanted === true ? { verify: true } : wanted ? { ...wanted, verify: wanted.verify ?? true } : false;
  const hasClientCert = tls !== false && Boolean(tls.certFile && tls.keyFile);
  if (options.sasl?.mechanism === "EXTERNAL" && !hasClientCert) {
    throw new Error("IRC adapter: SASL EXTERNAL needs tls.certFile and tls.keyFile");
  }
  const flood = options.flood ?? {};
  const reconnect = options.reconnect ?? {};
  const output = options.output ?? {};
  return {
    network: options.network ?? "irc",
    host: options.host,
    port: options.port ?? (tls ? 6697 : 6667),
    tls,
    password: options.password,
    nick: options.nick,
    altNicks: options.altNicks ?? [`${options.nick}_`, `${options.nick}__`],
    username: options.username ?? options.nick,
    realname: options.realname ?? "Switchboard ChatOps bot",
    sasl: options.sasl,
    channels: (options.channels ?? []).map((c) => (typeof c === "string" ? { name: c } : c)),
    ignore: options.ignore ?? [],
    version: options.version ?? "Switchboard ChatOps bot (IRC adapter)",
    regainIntervalMs: positive("regainIntervalMs", options.regainIntervalMs ?? 60_000),
    pingIntervalMs: positive("pingIntervalMs", options.pingIntervalMs ?? 30_000),
    pingTimeoutMs: positive("pingTimeoutMs", options.pingTimeoutMs ?? 120_000),
    connectTimeoutMs: positive("connectTimeoutMs", options.connectTimeoutMs ?? 60_000),
    accountLookup: options.accountLookup ?? true,
    identity: options.identity ?? "lookup",
    accountLookupTimeoutMs: positive("accountLookupTimeoutMs", options.accountLookupTimeoutMs ?? 5000),
    quitMessage: options.quitMessage ?? "Switchboard stopping",
    flood: {
      burst: positive("flood.burst", flood.burst ?? 5),
      intervalMs: positive("flood.intervalMs", flood.intervalMs ?? 1000),
      maxQueuedLines: positive("flood.maxQueuedLines", flood.maxQueuedLines ?? 500),
    },
    reconnect: {
      initialDelayMs: positive("reconnect.initialDelayMs", reconnect.initialDelayMs ?? 2000),
      maxDelayMs: positive("reconnect.maxDelayMs", reconnect.maxDelayMs ?? 300_000),
      stableAfterMs: positive("reconnect.stableAfterMs", reconnect.stableAfterMs ?? 60_000),
    },
    output: {
      channelLines: Math.max(2, Math.floor(output.channelLines ?? 6)),
      colors: output.colors ?? true,
      progressLines: Math.max(1, Math.floor(output.progressLines ?? 5)),
    },
  };
}
