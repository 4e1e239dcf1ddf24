/**
 * The adapter-type table: what `adapters: [{ type: … }]` may name. Each type has a config schema (checked when the
 * file is loaded, without importing the adapter) and a factory that imports its package only when it is used.
 * Add irc, matrix and slack here.
 * @module
 */
import type { Adapter, Logger } from "@switchboard/core";
import { z } from "zod";
import { durationSchema } from "./config/duration.js";

/** What a factory gets besides its own config entry. */
export interface AdapterContext {
  logger: Logger;
  /** Overrides from the command line (`switchboard shell --user NAME`). */
  shellUser?: string;
}

/** One row of the table. */
export interface AdapterType<C extends { type: string; name?: string | undefined }> {
  /** One line for `config check` and docs. */
  description: string;
  /** Validates one `adapters:` entry (including its `type`). */
  schema: z.ZodType<C> & { shape: Record<string, unknown> };
  create(config: C, context: AdapterContext): Promise<Adapter>;
}

const shellEntrySchema = z
  .object({
    type: z.literal("shell"),
    /** Network name (default `shell`); principals' identities refer to it. */
    name: z.string().min(1).optional(),
    /** Who is speaking at start (default: the OS login). */
    user: z.string().min(1).optional(),
    /** History file of the interactive shell, or false for none (default `./.switchboard/shell_history`). */
    history: z.union([z.string().min(1), z.literal(false)]).optional(),
  })
  .strict();

/** A `type: shell` entry. */
export type ShellAdapterConfig = z.output<typeof shellEntrySchema>;

const shell: AdapterType<ShellAdapterConfig> = {
  description: "the terminal (interactive, or line by line from a pipe)",
  schema: shellEntrySchema,
  async create(config, context) {
    const { ShellAdapter } = await import("@switchboard/adapter-shell");
    const user = context.shellUser ?? config.user;
    return new ShellAdapter({
      network: config.name ?? "shell",
      ...(user ? { user } : {}),
      ...(config.history !== undefined ? { historyFile: config.history } : {}),
    });
  },
};

const matrixEntrySchema = z
  .object({
    type: z.literal("matrix"),
    /** Network name (default `matrix`); principals' identities refer to it. */
    name: z.string().min(1).optional(),
    /** Homeserver base URL. */
    homeserver: z.url(),
    /** The bot's user id (`@switchboard:example.org`). */
    userId: z.string().regex(/^@[^:]+:.+$/, "a Matrix user id like @bot:example.org"),
    /** Access token (use `${MATRIX_TOKEN}`), or `password` for a one-time login. */
    accessToken: z.string().min(1).optional(),
    deviceId: z.string().min(1).optional(),
    password: z.string().min(1).optional(),
    deviceName: z.string().min(1).optional(),
    /** Session, sync state, encryption keys and handled-event ledger (default `./.switchboard/matrix-<name>`). */
    dataDir: z.string().min(1).optional(),
    encryption: z.boolean().optional(),
    storePassphrase: z.string().min(1).optional(),
    /** Commands older than this when seen are not run (default 2m). */
    staleAfter: durationSchema.optional(),
    invites: z
      .object({ users: z.array(z.string().min(1)).optional(), rooms: z.array(z.string().min(1)).optional() })
      .strict()
      .optional(),
    admins: z.array(z.string().min(1)).optional(),
    approvalReactions: z.array(z.string().min(1)).optional(),
    decryptionNoticeInterval: durationSchema.optional(),
    decryptionGrace: durationSchema.optional(),
    progressLines: z.number().int().positive().optional(),
  })
  .strict()
  .refine((entry) => entry.accessToken !== undefined || entry.password !== undefined, {
    message: "give accessToken or password",
    path: ["accessToken"],
  });

/** A `type: matrix` entry. */
export type MatrixAdapterConfig = z.output<typeof matrixEntrySchema>;

const matrix: AdapterType<MatrixAdapterConfig> = {
  description: "a Matrix homeserver (matrix-js-sdk; encrypted rooms, HTML, media, threads)",
  schema: matrixEntrySchema,
  async create(config, context) {
    const { MatrixAdapter } = await import("@switchboard/adapter-matrix");
    const { type: _type, name, staleAfter, decryptionNoticeInterval, decryptionGrace, ...rest } = config;
    const defined = Object.fromEntries(Object.entries(rest).filter(([, v]) => v !== undefined)) as typeof rest;
    context.logger.debug({ network: name ?? "matrix" }, "creating the Matrix adapter");
    return new MatrixAdapter({
      ...defined,
      network: name ?? "matrix",
      ...(staleAfter !== undefined ? { staleAfterMs: staleAfter } : {}),
      ...(decryptionNoticeInterval !== undefined ? { decryptionNoticeIntervalMs: decryptionNoticeInterval } : {}),
      ...(decryptionGrace !== undefined ? { decryptionGraceMs: decryptionGrace } : {}),
    });
  },
};

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
    /** TLS: true, or settings; certificates are verified unless `verify: false`. Default: plain TCP. */
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

const irc: AdapterType<IrcAdapterConfig> = {
  description: "an IRC network (irc-framework; TLS, SASL, services accounts, flood control, reconnects)",
  schema: ircEntrySchema,
  async create(config) {
    const { IrcAdapter } = await import("@switchboard/adapter-irc");
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
};

/** Every adapter type by name. */
export const adapterTypes = { shell, matrix, irc } as const;

/** A known adapter type name. */
export type AdapterTypeName = keyof typeof adapterTypes;

/** One validated `adapters:` entry. */
export type AdapterConfig = ShellAdapterConfig | MatrixAdapterConfig | IrcAdapterConfig;

/** The network name an entry gives its adapter (`name`, else the type). */
export function networkName(entry: AdapterConfig): string {
  return entry.name ?? entry.type;
}

function isKnownType(type: string): type is AdapterTypeName {
  return Object.hasOwn(adapterTypes, type);
}

/** Validates one `adapters:` entry against its type's schema; an unknown type lists the known ones. */
export const adapterEntrySchema = z.looseObject({ type: z.string() }).transform((entry, ctx): AdapterConfig => {
  if (!isKnownType(entry.type)) {
    ctx.addIssue({
      code: "custom",
      path: ["type"],
      message: `unknown adapter type "${entry.type}"; known types: ${Object.keys(adapterTypes).join(", ")}`,
    });
    return z.NEVER;
  }
  const parsed = adapterTypes[entry.type].schema.safeParse(entry);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) ctx.addIssue({ ...issue } as Parameters<typeof ctx.addIssue>[0]);
    return z.NEVER;
  }
  return parsed.data;
});

/** Creates the adapter for an entry (importing its package now). */
export function createAdapter(entry: AdapterConfig, context: AdapterContext): Promise<Adapter> {
  const type = adapterTypes[entry.type] as AdapterType<AdapterConfig>;
  return type.create(entry, context);
}
