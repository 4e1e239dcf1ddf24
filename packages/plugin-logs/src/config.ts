/**
 * The plugin's configuration (`plugins.logs` in the switchboard file), validated with zod at start-up. Hosts and
 * groups have the shape of the puppet plugin's inventory, and the ssh settings are core's `sshSettingsSchema` (the
 * same keys as the puppet plugin's ssh runner).
 * @module
 */
import { durationSchema, SAFE_REMOTE_WORD, SSH_ADDRESS, SSH_USER, sshSettingsSchema } from "@switchboard/core";
import { z } from "zod";
import {
  GROUP_PATTERN,
  globProblem,
  HOST_PATTERN,
  isGlob,
  SERVICE_PATTERN,
  targetProblem,
  UNIT_PATTERN,
} from "./names.js";
import { TIMESTAMP_FORMATS } from "./timestamps.js";

/** A word that reaches a remote shell through ssh: no spaces, quotes or shell characters. */
const safeWord = z
  .string()
  .regex(SAFE_REMOTE_WORD, "letters, digits and _ @ % + = : , . / - only (it reaches a remote shell)");

/**
 * A log file: an absolute path (or, for the local runner, one starting with `./`: relative to the bot's working
 * folder) of letters, digits and `_ . + - /`, with `{host}` standing for the host's name; no `..` component (so
 * `{host}` and the path cannot climb out of the folder they name).
 */
const logPath = z
  .string()
  .regex(
    /^\.?\/(?:[A-Za-z0-9_.+/-]|\{host\})*$/,
    "an absolute path (or ./ for the local runner) of letters, digits and _ . + - / (and {host})",
  )
  .refine((path) => !path.split("/").includes(".."), "a path without .. components");

/** One log file of a service. */
export const fileSourceSchema = z
  .object({
    /** The file (`/var/log/nginx/access.log`, `/srv/{host}/app.log`). */
    path: logPath,
    /**
     * How its lines start with a time, for `--since`: `iso8601` (`2026-12-07T02:34:02Z`, `2026-12-07 02:34:02,123`),
     * `clf` (`[07/Dec/2026:02:34:02 +0000]` anywhere in the line: nginx/Apache access logs), or `none` (`--since` is
     * refused for this file). Times without a zone are UTC.
     */
    timestamps: z.enum(TIMESTAMP_FORMATS).default("none"),
  })
  .strict();

/** One source: a file (a path, or `{ path, timestamps }`) or a systemd unit's journal (`{ unit }`). */
export const sourceSchema = z.union([
  logPath.transform((path) => ({ path, timestamps: "none" as const })),
  fileSourceSchema,
  z
    .object({
      /** The systemd unit whose journal is read (`journalctl -u <unit>`). */
      unit: z.string().regex(UNIT_PATTERN, "a systemd unit name (letters, digits and @ _ . : -, not starting with -)"),
      /** A journal directory to read instead of the system journal (`journalctl -D`: forwarded or containers' logs). */
      directory: logPath.optional(),
    })
    .strict(),
]);

/** A service people ask for by name. */
export const serviceSchema = z
  .object({
    /** One line for `logs` without arguments. */
    description: z.string().max(200).optional(),
    /** Its log files and journal units (read in this order). */
    sources: z.array(sourceSchema).min(1),
    /**
     * Where it runs: a host, a group, a glob over host names or `all` of the inventory. The default target, and
     * the limit of `on …` (a host outside it is refused). Without it the service is read on the bot's machine only.
     */
    hosts: z.string().optional(),
  })
  .strict();

const hostName = z.string().regex(HOST_PATTERN, "a host name (letters, digits, - and .)");

/** One host of the inventory (the puppet plugin's host shape). */
export const hostSchema = z
  .object({
    /** Where ssh connects (default: the host's name). */
    address: z.string().regex(SSH_ADDRESS, "a host name or IP address").optional(),
    /** ssh port for this host. */
    port: z.number().int().min(1).max(65535).optional(),
    /** ssh user for this host. */
    user: z.string().regex(SSH_USER, "a user name").optional(),
  })
  .strict();

const member = z.string().superRefine((value, ctx) => {
  const problem = isGlob(value) ? globProblem(value) : HOST_PATTERN.test(value) ? undefined : "a host name or glob";
  if (problem) ctx.addIssue({ code: "custom", message: problem });
});

/** Hosts and groups (the shape of the puppet plugin's `inventory`). */
export const inventorySchema = z
  .object({
    /** Host names, or host name → `{ address, port, user }`. */
    hosts: z
      .union([
        z.array(hostName),
        z.record(
          hostName,
          hostSchema.nullable().transform((h) => h ?? {}),
        ),
      ])
      .transform((hosts) => (Array.isArray(hosts) ? Object.fromEntries(hosts.map((h) => [h, {}])) : hosts))
      .default({}),
    /** Group name → members: host names and globs over host names (`fe*`). */
    groups: z
      .record(z.string().regex(GROUP_PATTERN, "a group name (lower-case letters, digits, - and _)"), z.array(member))
      .default({}),
  })
  .strict();

/** Files on this machine: `{host}` in a path picks the host's file (one machine can play several hosts). */
const localRunnerSchema = z.object({ type: z.literal("local") }).strict();

/** Over OpenSSH with core's ssh settings (the same keys as the puppet plugin's ssh runner). */
const sshRunnerSchema = sshSettingsSchema.extend({ type: z.literal("ssh") }).strict();

/** A redaction: every match of `pattern` (a JavaScript regular expression, flags `g` and `i`) is replaced. */
const redactionSchema = z
  .object({
    /** What a secret looks like. A capture group named `keep` is kept (`(?<keep>password=)\S+`). */
    pattern: z.string().superRefine((value, ctx) => {
      try {
        new RegExp(value, "gi");
      } catch (error) {
        ctx.addIssue({ code: "custom", message: `not a regular expression: ${(error as Error).message}` });
      }
    }),
    /** What replaces it. */
    replacement: z.string().default("[redacted]"),
  })
  .strict();

/** The configuration. */
export const logsConfigSchema = z
  .object({
    /** How hosts are read: `local` (default) or `ssh` with ssh, user, port, identityFile, knownHostsFile, … */
    runner: z.discriminatedUnion("type", [localRunnerSchema, sshRunnerSchema]).prefault({ type: "local" }),
    /** Hosts and groups (the puppet plugin's inventory shape). */
    inventory: inventorySchema.prefault({}),
    /** Services by name: what `logs <service>` reads. */
    services: z.record(
      z.string().regex(SERVICE_PATTERN, "a service name (lower-case letters, digits, - and _)"),
      serviceSchema,
    ),
    /** A fixed command before `tail`/`journalctl` on every host (e.g. [sudo, -n] for root-owned logs). */
    commandPrefix: z.array(safeWord).default([]),
    /** Lines shown when `--lines` is not given. */
    defaultLines: z.number().int().min(1).default(50),
    /** The most `--lines` may ask for (per host and source). */
    maxLines: z.number().int().min(1).max(100_000).default(1000),
    /** How many of the newest lines of a file (or journal) are searched by `--since` and `--grep`. */
    scanLines: z.number().int().min(1).max(1_000_000).default(20_000),
    /** Reading one source on one host is stopped once it printed this many characters (a hostile or broken host). */
    maxOutput: z
      .number()
      .int()
      .min(1024)
      .default(64 * 1024 * 1024),
    /** A line longer than this is cut (with `…`). */

    lineLength: z.number().int().min(20).default(400),
    /** Reading one source on one host is stopped after this long. */
    timeout: durationSchema.prefault("30s"),
    /** How many hosts are read at once. */
    concurrency: z.number().int().min(1).max(100).default(5),
    /** The longest `--since`. */
    maxSince: durationSchema.prefault("7d"),
    output: z
      .object({
        /** Lines shown in the room; the whole output then goes to the asker privately. */
        roomLines: z.number().int().min(1).default(20),
      })
      .strict()
      .prefault({}),
    redact: z
      .object({
        /** Whether the built-in patterns apply (passwords, tokens, keys, credentials in URLs; see the README). */
        defaults: z.boolean().default(true),
        /** More patterns, applied after the built-in ones. */
        patterns: z.array(redactionSchema).default([]),
      })
      .strict()
      .prefault({}),
  })
  .strict()
  .superRefine((config, ctx) => {
    for (const group of Object.keys(config.inventory.groups)) {
      if (Object.hasOwn(config.inventory.hosts, group))
        ctx.addIssue({ code: "custom", path: ["inventory", "groups", group], message: "a host has the same name" });
      if (group === "all") ctx.addIssue({ code: "custom", path: ["inventory", "groups", group], message: "reserved" });
    }
    for (const [name, service] of Object.entries(config.services)) {
      const paths = service.sources.map((s) => ("path" in s ? s.path : s.directory)).filter((p) => p !== undefined);
      if (config.runner.type === "ssh" && paths.some((p) => p.startsWith("./")))
        ctx.addIssue({ code: "custom", path: ["services", name, "sources"], message: "ssh needs absolute paths" });
      if (service.hosts === undefined) {
        if (paths.some((p) => p.includes("{host}")))
          ctx.addIssue({ code: "custom", path: ["services", name], message: "{host} in a path needs hosts" });
        continue;
      }
      const problem = targetProblem(service.hosts);
      if (problem) ctx.addIssue({ code: "custom", path: ["services", name, "hosts"], message: problem });
    }
    if (config.defaultLines > config.maxLines)
      ctx.addIssue({ code: "custom", path: ["defaultLines"], message: "more than maxLines" });
  });

/** The validated configuration. */
export type LogsConfig = z.output<typeof logsConfigSchema>;
/** The configuration as written (durations as strings, defaults optional). */
export type LogsConfigInput = z.input<typeof logsConfigSchema>;
export type ServiceConfig = z.output<typeof serviceSchema>;
export type SourceConfig = z.output<typeof sourceSchema>;
export type HostConfig = z.output<typeof hostSchema>;
export type Inventory = z.output<typeof inventorySchema>;
export type SshRunnerConfig = z.output<typeof sshRunnerSchema>;
