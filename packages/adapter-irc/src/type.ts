/**
 * The light entry of the IRC adapter: its config schema and factory; irc-framework loads only when the adapter is
 * created.
 * @module
 */
import { defineAdapterType, durationSchema } from "@switchboard/core";
import { z } from "zod";

const ircChannelSchema = z.union([
  z.string().regex(/^[#&+!]\S+$/, "a channel name like #ops"),
  z
    .object({
      name: z.string().regex(/^[#&+!]\S+$/, "a channel name like #ops"),
      /** The channel key (`+k`); use `${ENV}`. */
      key: z.string().min(1).optional(),
    })
    .strict(),
]);

const ircEntrySchema = z
  .object({
    type: z.literal("irc"),
    /** Network name (default `irc`); principals' identities refer to it. */
    name: z.string().min(1).optional(),
    /** Server host name. */
    host: z.string().min(1),
    /** Server port (default 6697 with TLS, 6667 without); a string of digits is accepted for `${IRC_PORT}`. */
    port: z
      .union([z.number(), z.string().regex(/^\d+$/, "a port number").transform(Number)])
      .pipe(z.number().int().min(1).max(65535))
      .optional(),
    /**
     * TLS: true, or settings; certificates are verified unless `verify: false`. Default: on for every host but this
     * machine (127.0.0.0/8, ::1, localhost); `tls: false` is plain TCP.
     */
    tls: z
      .union([
        z.boolean(),
        z
          .object({
            verify: z.boolean().optional(),
            caFile: z.string().min(1).optional(),
            certFile: z.string().min(1).optional(),
            keyFile: z.string().min(1).optional(),
          })
          .strict(),
      ])
      .optional(),
    /** Server password (PASS); use `${ENV}`. */
    password: z.string().min(1).optional(),
    /** The bot's nick. */
    nick: z.string().regex(/^[^\s,:!@#&+][^\s,:!@]*$/, "one word, not starting with a channel character"),
    /** Nicks to use while `nick` is taken (default: nick_ and nick__). */
    altNicks: z.array(z.string().regex(/^[^\s,:!@#&+][^\s,:!@]*$/, "one word")).optional(),
    username: z
      .string()
      .regex(/^[^\s@]+$/, "one word")
      .optional(),
    realname: z.string().min(1).optional(),
    /** The bot's own services login. */
    sasl: z
      .discriminatedUnion("mechanism", [
        z.object({ mechanism: z.literal("PLAIN"), account: z.string().min(1), password: z.string().min(1) }).strict(),
        z.object({ mechanism: z.literal("EXTERNAL") }).strict(),
      ])
      .optional(),
    channels: z.array(ircChannelSchema).optional(),
    /** Nicks or nick!user@host masks (with * and ?) never listened to, e.g. other bots. */
    ignore: z.array(z.string().min(1)).optional(),
    /** CTCP VERSION answer. */
    version: z.string().min(1).optional(),
    accountLookup: z.boolean().optional(),
    /** `lookup` (default) or `account-tag-only`: only the message's IRCv3 account-tag identifies a sender. */
    identity: z.enum(["lookup", "account-tag-only"]).optional(),
    accountLookupTimeout: durationSchema.optional(),
    regainInterval: durationSchema.optional(),
    pingInterval: durationSchema.optional(),
    pingTimeout: durationSchema.optional(),
    connectTimeout: durationSchema.optional(),
    quitMessage: z.string().optional(),
    flood: z
      .object({
        burst: z.number().int().positive().optional(),
        interval: durationSchema.optional(),
        maxQueuedLines: z.number().int().positive().optional(),
      })
      .strict()
      .optional(),
    reconnect: z
      .object({
        initialDelay: durationSchema.optional(),
        maxDelay: durationSchema.optional(),
        stableAfter: durationSchema.optional(),
      })
      .strict()
      .optional(),
    output: z
      .object({
        channelLines: z.number().int().min(2).optional(),
        colors: z.boolean().optional(),
        progressLines: z.number().int().positive().optional(),
      })
      .strict()
      .optional(),
  })
  .strict()
  .refine(
    (entry) =>
      entry.sasl?.mechanism !== "EXTERNAL" ||
      (typeof entry.tls === "object" && entry.tls.certFile !== undefined && entry.tls.keyFile !== undefined),
    { message: "SASL EXTERNAL logs in with a client certificate: set tls.certFile and tls.keyFile", path: ["sasl"] },
  );

/** A `type: irc` entry. */
export type IrcAdapterConfig = z.output<typeof ircEntrySchema>;

/** Drops undefined values, so optional config keys stay absent in adapter options. */
function defined<T extends Record<string, unknown>>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}

/** The `type: irc` adapter for the app: config schema and a factory that loads the adapter only when used. */
export const ircAdapterType = defineAdapterType<IrcAdapterConfig>({
  type: "irc",
  description: "an IRC network (irc-framework; TLS, SASL, services accounts, flood control, reconnects)",
  schema: ircEntrySchema,
  networkName: (config) => config.name ?? "irc",
  async create(config) {
    const { IrcAdapter } = await import("./index.js");
    const {
      type: _type,
      name,
      flood,
      reconnect,
      output,
      accountLookupTimeout,
      regainInterval,
      pingInterval,
      pingTimeout,
      connectTimeout,
      ...rest
    } = config;
    return new IrcAdapter({
      ...defined(rest),
      network: name ?? "irc",
      ...defined({
        accountLookupTimeoutMs: accountLookupTimeout,
        regainIntervalMs: regainInterval,
        pingIntervalMs: pingInterval,
        pingTimeoutMs: pingTimeout,
        connectTimeoutMs: connectTimeout,
      }),
      ...(flood
        ? { flood: defined({ burst: flood.burst, intervalMs: flood.interval, maxQueuedLines: flood.maxQueuedLines }) }
        : {}),
      ...(reconnect
        ? {
            reconnect: defined({
              initialDelayMs: reconnect.initialDelay,
              maxDelayMs: reconnect.maxDelay,
              stableAfterMs: reconnect.stableAfter,
            }),
          }
        : {}),
      ...(output ? { output: defined(output) } : {}),
    });
  },
});
