/**
 * The light entry of the IRC adapter: the one description of its options (a zod schema with the defaults and a TSDoc
 * line per key), which validates the app's `type: irc` entries and `new IrcAdapter(options)` alike (the options are an
 * entry without its `type`), and the factory; irc-framework loads only when the adapter is created.
 * @module
 */
import { type Adapter, type AdapterType, durationSchema } from "@switchboard/core";
import { z } from "zod";
import { isLoopbackHost } from "./loopback.js";

const channelName = z.string().regex(/^[#&+!]\S+$/, "a channel name like #ops");
const nickName = z.string().regex(/^[^\s,:!@#&+][^\s,:!@]*$/, "one word, not starting with a channel character");

/** A channel to join: `"#ops"`, or `{ name, key }` for a channel with a key (`+k`); read as `{ name, key? }`. */
const ircChannelSchema = z
  .union([
    channelName,
    z
      .object({
        name: channelName,
        /** The channel key (`+k`); use `${ENV}`. */
        key: z.string().min(1).optional(),
      })
      .strict(),
  ])
  .transform((channel) => (typeof channel === "string" ? { name: channel } : channel));

/** The TLS settings in an entry, as far as the defaults below look at them. */
type TlsSetting = boolean | { verify: boolean; certFile?: string | undefined; keyFile?: string | undefined };

/** SASL EXTERNAL logs in with the TLS client certificate, so it needs one. */
function externalHasCertificate(options: { sasl?: { mechanism: string } | undefined; tls?: TlsSetting | undefined }) {
  return (
    options.sasl?.mechanism !== "EXTERNAL" ||
    (typeof options.tls === "object" && options.tls.certFile !== undefined && options.tls.keyFile !== undefined)
  );
}

/** A `type: irc` entry: every option of the IRC adapter. */
const ircEntrySchema = z
  .object({
    type: z.literal("irc"),
    /** Network name the bot sees; principals' `identities` and policy rules use it. */
    name: z.string().min(1).default("irc"),
    /** Server host name or address. */
    host: z.string().min(1),
    /** Server port (default 6697 with TLS, 6667 without); a string of digits is accepted for `${IRC_PORT}`. */
    port: z
      .union([z.number(), z.string().regex(/^\d+$/, "a port number").transform(Number)])
      .pipe(z.number().int().min(1).max(65535))
      .optional(),
    /**
     * TLS on (`true` or settings) or off (`false`); certificates are verified unless `verify: false`. Default: on for
     * every host but this machine (127.0.0.0/8, ::1, localhost), so a password or SASL login never crosses a network
     * in clear by accident; `tls: false` is plain TCP.
     */
    tls: z
      .union([
        z.boolean(),
        z
          .object({
            /** Verify the server's certificate and host name (default true); false is for test networks only. */
            verify: z.boolean().default(true),
            /** PEM file of the CA(s) that signed the server's certificate, when it is not a public CA. */
            caFile: z.string().min(1).optional(),
            /** PEM client certificate, for SASL EXTERNAL (CertFP). */
            certFile: z.string().min(1).optional(),
            /** PEM private key of the client certificate. */
            keyFile: z.string().min(1).optional(),
          })
          .strict(),
      ])
      .optional(),
    /** Server password (`PASS`), if the server wants one; use `${ENV}`. */
    password: z.string().min(1).optional(),
    /** The bot's nick. */
    nick: nickName,
    /** Nicks to try while `nick` is taken, in order (default: `nick_`, `nick__`). */
    altNicks: z.array(nickName).optional(),
    /** User name (ident); default: `nick`. */
    username: z
      .string()
      .regex(/^[^\s@]+$/, "one word")
      .optional(),
    /** Real name (gecos). */
    realname: z.string().min(1).default("Switchboard ChatOps bot"),
    /**
     * The bot's own services login: `PLAIN` with account and password, or `EXTERNAL` with the TLS client certificate
     * (`tls.certFile`/`tls.keyFile`), registered with `NickServ CERT ADD`.
     */
    sasl: z
      .discriminatedUnion("mechanism", [
        z.object({ mechanism: z.literal("PLAIN"), account: z.string().min(1), password: z.string().min(1) }).strict(),
        z.object({ mechanism: z.literal("EXTERNAL") }).strict(),
      ])
      .optional(),
    /** Channels to join (and rejoin after a reconnect). */
    channels: z.array(ircChannelSchema).default([]),
    /** Nicks or `nick!user@host` masks (with `*` and `?`) never listened to, e.g. other bots. */
    ignore: z.array(z.string().min(1)).default([]),
    /** The answer to CTCP VERSION. */
    version: z.string().min(1).default("Switchboard ChatOps bot (IRC adapter)"),
    /**
     * Ask the server (WHOX, else WHOIS) for a command sender's account when neither the message (account-tag) nor
     * account-notify tracking says. Turn off on a network without services to save a round trip per command; senders
     * the server does not vouch for in the message are then guests.
     */
    accountLookup: z.boolean().default(true),
    /**
     * `lookup`: the account comes from the message's account-tag, else account-notify tracking, else a WHOX/WHOIS
     * lookup bound to the sender's nick!ident@host. `account-tag-only`: only the message's IRCv3 account-tag counts (no
     * tracking, no lookups); on a server without account-tag everyone is a guest.
     */
    identity: z.enum(["lookup", "account-tag-only"]).default("lookup"),
    /** How long to wait for a services account lookup (WHOX/WHOIS) before treating the sender as a guest (ms). */
    accountLookupTimeout: durationSchema.default(5000),
    /** How often to try to take the wanted nick back while using another (ms). */
    regainInterval: durationSchema.default(60_000),
    /** Send a PING after this long without traffic (ms). */
    pingInterval: durationSchema.default(30_000),
    /** Drop the connection (and reconnect) after this long without any line from the server (ms). */
    pingTimeout: durationSchema.default(120_000),
    /** Give up a connection that has not registered after this long, then back off and retry (ms). */
    connectTimeout: durationSchema.default(60_000),
    /** Message of the QUIT sent when the bot stops. */
    quitMessage: z.string().default("Switchboard stopping"),
    /** Outgoing rate limit: a token bucket of lines. */
    flood: z
      .object({
        /** Lines that may go out at once after a quiet period. */
        burst: z.number().int().positive().default(5),
        /** Then one more line may go out every `interval` (ms). */
        interval: durationSchema.default(1000),
        /**
         * Lines kept waiting at most (all targets together): beyond it the oldest job progress is dropped first, then
         * the oldest lines of the longest queue (logged).
         */
        maxQueuedLines: z.number().int().positive().default(500),
      })
      .strict()
      .prefault({}),
    /** Reconnecting after the connection drops (exponential backoff with jitter). */
    reconnect: z
      .object({
        /** Delay before the first attempt, before jitter (ms). */
        initialDelay: durationSchema.default(2000),
        /** Upper bound of the delay (ms). */
        maxDelay: durationSchema.default(300_000),
        /** A connection registered for this long resets the backoff (ms). */
        stableAfter: durationSchema.default(60_000),
      })
      .strict()
      .prefault({}),
    /** How replies look. */
    output: z
      .object({
        /** Most lines one reply may put in a channel; the rest goes to the asker in private. */
        channelLines: z.number().int().min(2).default(6),
        /** IRC colours and bold on status marks; false sends plain text only. */
        colors: z.boolean().default(true),
        /** Most progress lines of one job waiting to be sent to one target; older ones are summarised. */
        progressLines: z.number().int().positive().default(5),
      })
      .strict()
      .prefault({}),
  })
  .strict()
  .refine(externalHasCertificate, {
    message: "SASL EXTERNAL logs in with a client certificate: set tls.certFile and tls.keyFile",
    path: ["sasl"],
  })
  // The defaults that follow from other keys: TLS from the host, the port from TLS, nicks and ident from `nick`.
  .transform((entry) => {
    const wanted = entry.tls ?? !isLoopbackHost(entry.host);
    const tls = wanted === true ? { verify: true } : wanted;
    return {
      ...entry,
      tls,
      port: entry.port ?? (tls ? 6697 : 6667),
      altNicks: entry.altNicks ?? [`${entry.nick}_`, `${entry.nick}__`],
      username: entry.username ?? entry.nick,
    };
  });

/** A `type: irc` entry with every default filled in: `type` aside, the options the adapter runs with. */
export type IrcAdapterConfig = z.output<typeof ircEntrySchema>;

/** The `type: irc` adapter for the app: config schema and a factory that loads the adapter only when used. */
export const ircAdapterType = {
  type: "irc",
  description: "an IRC network (irc-framework; TLS, SASL, services accounts, flood control, reconnects)",
  schema: ircEntrySchema,
  async create({ type: _type, ...options }): Promise<Adapter> {
    const { IrcAdapter } = await import("./index.js");
    return new IrcAdapter(options);
  },
} satisfies AdapterType<IrcAdapterConfig>;
