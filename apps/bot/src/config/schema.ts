/**
 * The configuration file's shape, validated with zod. Roles, principals, rules and guestRole are core's schemas.
 * @module
 */
import { durationSchema, roomRefSchema } from "@switchboard/core";
import {
  approvalConfigSchema,
  isTimeZone,
  policyConfigSchema,
  principalConfigSchema,
  roleConfigSchema,
  ruleConfigSchema,
} from "@switchboard/core/app";
import { httpConfigSchema } from "@switchboard/http";
import { z } from "zod";
import { adapterEntrySchema, adapterTypes } from "../adapter-types.js";
import { schemaKeysAt } from "./hints.js";

/** Where the SQLite file goes unless `store.path` says otherwise (relative to the working directory). */
export const DEFAULT_STORE_PATH = "./.switchboard/switchboard.db";
/** Where the log goes unless `log.file` says otherwise. */
export const DEFAULT_LOG_FILE = "./.switchboard/switchboard.log";

/** A token bucket in the configuration: `{ burst: 5, interval: 5s }`. */
const bucketSchema = z
  .object({
    /** Commands that may come at once. */
    burst: z.number().int().min(1),
    /** Then one more every interval. */
    interval: durationSchema,
  })
  .strict();

/** `bot.rateLimit`: core's input limits; every key is optional and defaults to core's value. */
export const rateLimitSectionSchema = z
  .object({
    /** `false` turns every limit off (for a bot only trusted people can reach). Default true. */
    enabled: z.boolean().optional(),
    /** Per person holding a role besides the guest role. Default `{ burst: 10, interval: 1s }`. */
    member: bucketSchema.optional(),
    /** Per guest. Default `{ burst: 5, interval: 5s }`. */
    guest: bucketSchema.optional(),
    /** All guests of one network together. Default `{ burst: 15, interval: 2s }`. */
    guests: bucketSchema.optional(),
    /** Commands of one person handled at once. Default 5. */
    maxRunningPerPerson: z.number().int().min(1).optional(),
    /** Commands of one guest handled at once. Default 3. */
    maxRunningPerGuest: z.number().int().min(1).optional(),
    /** Commands handled at once in total. Default 50. */
    maxRunning: z.number().int().min(1).optional(),
    /** Holders of this permission are never limited. Default `ratelimit:exempt` (owners holding `*` have it). */
    exemptPermission: z.string().min(1).optional(),
  })
  .strict();

/** `bot.schedules`: limits and defaults of `schedule add`; every key is optional and defaults to core's value. */
export const schedulesSectionSchema = z
  .object({
    /** Schedules one person may have that have not finished. Default 10. */
    maxPerPerson: z.number().int().min(1).optional(),
    /** The shortest time between two runs of one schedule. Default 1m. */
    minInterval: durationSchema.optional(),
    /** A run that starts later than this after its due time counts as missed (the bot was down). Default 1m. */
    lateAfter: durationSchema.optional(),
    /** How often each instance re-reads schedules and aliases made on other instances. Default 30s. */
    pollInterval: durationSchema.optional(),
    /** What happens to runs missed while no instance was running, unless `schedule add --missed` says: `skip` (a note in the room) or `once`. Default skip. */
    missed: z.enum(["skip", "once"]).optional(),
  })
  .strict();

export const botSectionSchema = z
  .object({
    /** Name people address the bot by (`switchboard: help`). */
    name: z.string().min(1).default("switchboard"),
    /** Command prefix in shared rooms. */
    prefix: z.string().min(1).default("!"),
    /** Other names it answers to. */
    aliases: z.array(z.string().min(1)).default([]),
    /** Time limit of a command without its own. */
    defaultTimeout: durationSchema.default(5 * 60_000),
    /** How long approval requests stay open. */
    approvalTtl: durationSchema.default(15 * 60_000),
    /** Minimum time between two progress messages of a job. */
    progressInterval: durationSchema.default(1000),
    /** Commands older than this when they arrive (a bouncer's backlog) are not run; an adapter may set its own. */
    staleAfter: durationSchema.default(120_000),
    /** Input limits per person and in total (default: core's; `{ enabled: false }` turns them off). */
    rateLimit: rateLimitSectionSchema.optional(),
    /**
     * The IANA time zone (`Europe/Berlin`) of schedules made by people without a `timezone` of their own.
     * Default: the process's (`TZ`).
     */
    timezone: z
      .string()
      .refine(isTimeZone, { message: "not a time zone this runtime knows (use an IANA name such as Europe/Berlin)" })
      .optional(),
    /** Limits and defaults of schedules. */
    schedules: schedulesSectionSchema.optional(),
  })
  .strict();

/** `store.postgres`: the shared database of several instances. */
export const postgresSectionSchema = z
  .object({
    /** `postgres://user:password@host:5432/db`; give it through the environment: `${DATABASE_URL}`. */
    url: z.string().min(1),
    /** How long a connection lease (IRC, Matrix) lasts without renewal: a crashed leader's standby takes over after it. */
    leaseTtl: durationSchema.default(10_000),
    /** An instance that has not heartbeaten for this long is dead: its running jobs are abandoned (never re-run). */
    deadAfter: durationSchema.default(15_000),
    /**
     * The key that seals a Matrix network's session and encryption keys in the database (so a standby takes over the
     * same device): 32 random bytes as base64 (`openssl rand -base64 32`), the same on every instance, through the
     * environment: `${SWITCHBOARD_STATE_KEY}`. Needed when a Matrix network is configured.
     */
    stateKey: z.string().min(1).optional(),
  })
  .strict();

export const storeSectionSchema = z
  .object({
    /** The SQLite file (store and audit log). */
    path: z.string().min(1).default(DEFAULT_STORE_PATH),
    /** SQLite `synchronous`: NORMAL survives a process crash, FULL also a power loss (slower). */
    synchronous: z.enum(["NORMAL", "FULL"]).default("NORMAL"),
    /**
     * PostgreSQL instead of SQLite, for several instances (see the README, "Several instances"): the store, one
     * audit chain, exactly-once intake; IRC and Matrix connections held by one instance at a time (a lease).
     */
    postgres: postgresSectionSchema.optional(),
  })
  .strict();

/** One entry of `audit.trustedKeys`: a name for people, and the public key (PEM text, or a file holding it). */
export const trustedKeySchema = z
  .object({
    /** Who holds the key, for reports (`bot-a`, the machine's name). */
    name: z.string().min(1),
    /** The Ed25519 public key as PEM text (`-----BEGIN PUBLIC KEY-----…`). */
    publicKey: z.string().min(1).optional(),
    /** Or a file holding it (the instance's `<keyFile>.pub`, copied here), relative to the configuration. */
    publicKeyFile: z.string().min(1).optional(),
    /**
     * The key was retired at this time (ISO-8601, `2026-12-07T10:00:00Z`: the machine is gone, or its key was
     * replaced): its earlier checkpoints still count, one it signed later is reported. Keep retired keys listed:
     * removing one makes every checkpoint it ever signed untrusted.
     */
    retiredAt: z
      .string()
      .refine((text) => /^\d{4}-\d{2}-\d{2}T/.test(text) && !Number.isNaN(Date.parse(text)), {
        message: "not an ISO-8601 date and time (2026-12-07T10:00:00Z)",
      })
      .optional(),
  })
  .strict()
  .refine((key) => (key.publicKey === undefined) !== (key.publicKeyFile === undefined), {
    message: "give either publicKey or publicKeyFile",
  });

/**
 * Signed checkpoints that anchor the audit log outside the database (see the store-sqlite README, "Security
 * model"). The key and the checkpoint file must not be in the database's folder.
 */
export const auditSectionSchema = z
  .object({
    /**
     * The Ed25519 private key that signs checkpoints; created on first start (mode 0600, its folder 0700) with the
     * public key beside it (`.pub`). Default `$XDG_CONFIG_HOME/switchboard/audit-key` (`~/.config/…`).
     */
    keyFile: z.string().min(1).optional(),
    /**
     * The append-only checkpoint file, one JSON line per checkpoint. Default: beside the key,
     * `checkpoints/<database path>-<hash>.jsonl` (one file per database).
     */
    checkpointFile: z.string().min(1).optional(),
    /** Sign a checkpoint after this many new entries. */
    every: z.number().int().min(1).default(100),
    /** Also sign this often when there are new entries. */
    interval: durationSchema.default(60_000),
    /** Also post every checkpoint into this room (`irc:#audit`), so the room is a witness. */
    room: roomRefSchema.optional(),
    /**
     * With `store.postgres`: the public keys whose checkpoints `audit verify` (and every instance at start) trusts,
     * one per instance (each signs with its own `keyFile`; its public key is `<keyFile>.pub`). A checkpoint signed
     * by any other key is reported as forged. The key of the machine running the command is trusted too.
     */
    trustedKeys: z.array(trustedKeySchema).default([]),
  })
  .strict();

/** The `audit:` section, validated. */
export type AuditSection = z.output<typeof auditSectionSchema>;

/** Where approval requests go besides the asker's room. */
export const approvalsSectionSchema = z
  .object({
    /**
     * Rooms (`irc:#ops`, `matrix:!id:server`, `slack:C123`) that get every approval request with the network's own
     * Approve/Deny (buttons, reactions, the typed command), updated as people decide and closed when the job starts,
     * is refused or expires.
     */
    announce: z.array(roomRefSchema).default([]),
  })
  .strict();

export const logLevels = ["fatal", "error", "warn", "info", "debug", "trace", "silent"] as const;

export const logSectionSchema = z
  .object({
    /** Default: `$SWITCHBOARD_LOG_LEVEL`, else `info`. */
    level: z.enum(logLevels).optional(),
    /** JSON-lines log file. */
    file: z.string().min(1).default(DEFAULT_LOG_FILE),
  })
  .strict();

/** The whole file. */
export const configSchema = z
  .object({
    bot: botSectionSchema.prefault({}),
    store: storeSectionSchema.prefault({}),
    log: logSectionSchema.prefault({}),
    audit: auditSectionSchema.prefault({}),
    approvals: approvalsSectionSchema.prefault({}),
    /** Chat networks to connect; default: one shell adapter. */
    adapters: z
      .array(adapterEntrySchema)
      .min(1, "at least one adapter is needed")
      .prefault([{ type: "shell" }]),
    /** Plugin name → its configuration (validated by the plugin). */
    plugins: z
      .record(
        z.string().regex(/^[a-z0-9][a-z0-9-]*$/, "a plugin name is lower-case letters, digits and dashes"),
        z.unknown(),
      )
      .default({}),
    ...policyConfigSchema.shape,
    /** The HTTP endpoint (webhooks, /healthz, /readyz, /metrics); off when absent. See packages/http/README.md. */
    http: httpConfigSchema.optional(),
  })
  .strict();

/** A validated configuration (durations in ms, defaults filled in). */
export type SwitchboardConfig = z.output<typeof configSchema>;

/** The keys allowed where an unknown key was found, for suggestions (`raw` is the file's content). */
export function knownKeys(path: ReadonlyArray<string | number>, raw: unknown): string[] | undefined {
  const [section, item, sub] = path;
  switch (path.length === 0 ? "" : section) {
    case "":
      return Object.keys(configSchema.shape);
    case "bot":
      return path.length === 1 ? Object.keys(botSectionSchema.shape) : undefined;
    case "store":
      return path.length === 1 ? Object.keys(storeSectionSchema.shape) : undefined;
    case "http":
      return path.length === 1 ? Object.keys(httpConfigSchema.shape) : undefined;
    case "log":
      return path.length === 1 ? Object.keys(logSectionSchema.shape) : undefined;
    case "audit":
      if (path.length === 3 && item === "trustedKeys") return Object.keys(trustedKeySchema.shape);
      return path.length === 1 ? Object.keys(auditSectionSchema.shape) : undefined;
    case "approvals":
      return path.length === 1 ? Object.keys(approvalsSectionSchema.shape) : undefined;
    case "roles":
      return path.length === 2 ? Object.keys(roleConfigSchema.shape) : undefined;
    case "principals":
      return path.length === 2 ? Object.keys(principalConfigSchema.shape) : undefined;
    case "rules":
      if (path.length === 2) return Object.keys(ruleConfigSchema.shape);
      if (path.length === 3 && sub === "when") return ["args", "room", "network"];
      if (path.length === 3 && sub === "approval") return Object.keys(approvalConfigSchema.shape);
      return undefined;
    case "adapters": {
      if (path.length !== 2) return undefined;
      const entries = (raw as { adapters?: unknown } | null)?.adapters;
      const type = Array.isArray(entries)
        ? (entries[item as number] as { type?: unknown } | undefined)?.type
        : undefined;
      const schema = typeof type === "string" ? adapterTypes.get(type)?.schema : undefined;
      // Through the wrappers of the schema (a schema that derives defaults ends in a transform).
      return schema ? schemaKeysAt(schema, []) : undefined;
    }
    default:
      return undefined;
  }
}
