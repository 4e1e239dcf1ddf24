/**
 * The light entry of the Matrix adapter: the one description of its options (a zod schema with the defaults and a
 * TSDoc line per key), which validates the app's `type: matrix` entries and `new MatrixAdapter(options)` alike (the
 * options are an entry without its `type`), and the factory; matrix-js-sdk loads only when the adapter is created.
 * @module
 */
import { type Adapter, type AdapterType, durationSchema } from "@switchboard/core";
import { z } from "zod";

/** A `type: matrix` entry: every option of the Matrix adapter. */
const matrixEntrySchema = z
  .object({
    type: z.literal("matrix"),
    /** Network name the bot sees; principals' `identities` and policy rules use it. */
    name: z.string().min(1).default("matrix"),
    /** Homeserver base URL, e.g. `https://matrix.example.org`. */
    homeserver: z.url().transform((url) => url.replace(/\/+$/, "")),
    /** The bot's user id (`@switchboard:example.org`). */
    userId: z.string().regex(/^@[^:]+:.+$/, "a Matrix user id like @bot:example.org"),
    /** An access token (use `${MATRIX_TOKEN}`), or `password` for a one-time login. */
    accessToken: z.string().min(1).optional(),
    /** The device id that belongs to `accessToken` (asked from the homeserver when omitted). */
    deviceId: z.string().min(1).optional(),
    /** A password, used once to log in; the device id and token are then kept in `dataDir`. */
    password: z.string().min(1).optional(),
    /** Display name of the device created by a password login. */
    deviceName: z.string().min(1).default("Switchboard bot"),
    /**
     * Folder for the adapter's state: session (device id and token), sync state, encryption keys, and the ledger of
     * handled events. Keep it private (mode 0700) and back it up with the bot. Default `./.switchboard/matrix-<name>`.
     */
    dataDir: z.string().min(1).optional(),
    /** End-to-end encryption (Rust crypto; keys persisted in `dataDir`). */
    encryption: z.boolean().default(true),
    /**
     * A passphrase that encrypts the stored crypto keys (the snapshot file and the store inside it). Default none: the
     * file is protected by its mode (0600) only. Changing it later makes the old keys unreadable.
     */
    storePassphrase: z.string().min(1).optional(),
    /**
     * The account's recovery key (use `${MATRIX_RECOVERY_KEY}`; made once by `switchboard matrix setup-recovery`):
     * at every start the device is signed with the cross-signing keys from secret storage. Needs `encryption`.
     */
    recoveryKey: z.string().min(1).optional(),
    /** Commands older than this when the bot sees them are not run; the bot says so once (ms). */
    staleAfter: durationSchema.default(120_000),
    /** Whose invites the bot accepts; all others are declined. Default: none accepted. */
    invites: z
      .object({
        /** Inviters whose invites are accepted: user ids or globs with `*` (`@*:example.org`). */
        users: z.array(z.string().min(1)).default([]),
        /**
         * Room ids (`!abc:example.org`, globs allowed) whose invites are accepted, whoever invites. Only the id is
         * compared: an alias is chosen by whoever controls it (and a room may announce any alias), so aliases are
         * refused here.
         */
        rooms: z
          .array(
            z
              .string()
              .regex(
                /^!/,
                "a room id like !abc:example.org; aliases (#…) are not accepted, whoever controls one could point it at any room",
              ),
          )
          .default([]),
      })
      .strict()
      .prefault({}),
    /** Reactions that approve the job whose approval request they react to; `[]` turns it off. */
    approvalReactions: z.array(z.string().min(1)).default(["👍", "✅"]),
    /** At most one "could not decrypt" notice per room per this interval (ms). */
    decryptionNoticeInterval: durationSchema.default(5 * 60_000),
    /** How long a message may stay undecryptable (its key may still arrive) before the bot reports it (ms). */
    decryptionGrace: durationSchema.default(10_000),
    /** Events a progress message keeps when it is edited in place (older lines are summarised). */
    progressLines: z.number().int().positive().default(40),
  })
  .strict()
  .refine((entry) => entry.accessToken !== undefined || entry.password !== undefined, {
    message: "give accessToken or password",
    path: ["accessToken"],
  })
  // The default that follows from another key: the data folder is named after the network.
  .transform((entry) => ({ ...entry, dataDir: entry.dataDir ?? `./.switchboard/matrix-${entry.name}` }));

/** A `type: matrix` entry with every default filled in: `type` aside, the options the adapter runs with. */
export type MatrixAdapterConfig = z.output<typeof matrixEntrySchema>;

/** The `type: matrix` adapter for the app: config schema and a factory that loads the adapter only when used. */
export const matrixAdapterType = {
  type: "matrix",
  description: "a Matrix homeserver (matrix-js-sdk; encrypted rooms, HTML, media, threads)",
  schema: matrixEntrySchema,
  async create({ type: _type, ...options }, context): Promise<Adapter> {
    const { MatrixAdapter } = await import("./index.js");
    context.logger.debug({ network: options.name }, "creating the Matrix adapter");
    // Several instances: the app's shared state store, so a standby takes over this device.
    return new MatrixAdapter(options, context.state ? { state: context.state } : {});
  },
} satisfies AdapterType<MatrixAdapterConfig>;
