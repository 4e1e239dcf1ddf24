/**
 * The light entry of the Matrix adapter: its config schema and factory; matrix-js-sdk loads only when the adapter
 * is created.
 * @module
 */
import { defineAdapterType, durationSchema } from "@switchboard/core";
import { z } from "zod";

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
    /**
     * The account's recovery key (use `${MATRIX_RECOVERY_KEY}`; made once by `switchboard matrix setup-recovery`):
     * at every start the device is signed with the cross-signing keys from secret storage. Needs `encryption`.
     */
    recoveryKey: z.string().min(1).optional(),
    /** Commands older than this when seen are not run (default 2m). */
    staleAfter: durationSchema.optional(),
    invites: z
      .object({
        /** Inviters whose invites are accepted: user ids or globs (`@*:example.org`). */
        users: z.array(z.string().min(1)).optional(),
        /** Room ids (globs allowed) whose invites are accepted from anyone; never aliases (the inviter may control them). */
        rooms: z
          .array(
            z
              .string()
              .regex(
                /^!/,
                "a room id like !abc:example.org; aliases (#…) are not accepted, whoever controls one could point it at any room",
              ),
          )
          .optional(),
      })
      .strict()
      .optional(),
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

/** The `type: matrix` adapter for the app: config schema and a factory that loads the adapter only when used. */
export const matrixAdapterType = defineAdapterType<MatrixAdapterConfig>({
  type: "matrix",
  description: "a Matrix homeserver (matrix-js-sdk; encrypted rooms, HTML, media, threads)",
  schema: matrixEntrySchema,
  networkName: (config) => config.name ?? "matrix",
  async create(config, context) {
    const { MatrixAdapter } = await import("./index.js");
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
});
