/**
 * The plugin's configuration (`plugins.puppet` in the switchboard file), validated with zod at start-up.
 * @module
 */
import {
  durationSchema,
  refProblem,
  SAFE_REMOTE_WORD,
  SSH_ADDRESS,
  SSH_USER,
  sshSettingsSchema,
} from "@switchboard/core";
import { z } from "zod";
import { ENVIRONMENT_PATTERN, GROUP_PATTERN, globProblem, HOST_PATTERN, isGlob } from "./names.js";
import { PERMISSIONS } from "./permissions.js";

const duration = (fallback: string) => durationSchema.prefault(fallback);

/** A word that may reach a remote shell through ssh: no spaces, quotes or shell characters. */
const safeWord = z
  .string()
  .regex(SAFE_REMOTE_WORD, "letters, digits and _ @ % + = : , . / - only (it reaches a remote shell)");
const absolutePath = z.string().regex(/^\/[A-Za-z0-9_.+/-]*$/, "an absolute path of letters, digits and _ . + - /");

/** `puppet apply` on this machine: each host is a confdir/vardir/certname under `hostsDir`. */
export const localRunnerSchema = z
  .object({
    type: z.literal("local"),
    /** The puppet executable and any fixed arguments before `apply` (an argv array, never a shell line). */
    puppet: z.array(z.string().min(1)).min(1).default(["puppet"]),
    /** Each host's state: `<hostsDir>/<host>/conf` (its confdir) and `<hostsDir>/<host>/var` (its vardir). */
    hostsDir: z.string().min(1),
  })
  .strict();

/**
 * `puppet agent --test` on each host over OpenSSH: key authentication, host keys checked against a file. The ssh keys
 * (ssh, user, port, identityFile, knownHostsFile, sshConfig, connectTimeout) are core's `sshSettingsSchema`, the same
 * settings every plugin that reaches hosts over ssh uses.
 */
export const sshRunnerSchema = sshSettingsSchema
  .extend({
    type: z.literal("ssh"),
    /** The remote puppet command before `agent` (e.g. [sudo, -n, /opt/puppetlabs/bin/puppet]). */
    puppet: z.array(safeWord).min(1).default(["puppet"]),
    /** Where the agent writes its last run report (`puppet config print lastrunreport` on the hosts). */
    reportPath: absolutePath.default("/var/cache/puppet/state/last_run_report.yaml"),
    /** Where the agent writes its last run summary (`puppet config print lastrunfile` on the hosts). */
    summaryPath: absolutePath.default("/var/cache/puppet/public/last_run_summary.yaml"),
  })
  .strict();

export const runnerSchema = z.discriminatedUnion("type", [localRunnerSchema, sshRunnerSchema]);

const hostName = z.string().regex(HOST_PATTERN, "a host name (letters, digits, - and .)");

/** One host of the inventory. */
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
  const problem = isGlob(value)
    ? globProblem(value)
    : HOST_PATTERN.test(value)
      ? undefined
      : "a host name or glob (fs*)";
  if (problem) ctx.addIssue({ code: "custom", message: problem });
});

/** Hosts and groups. */
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
    /** Group name → members: host names and globs over host names (`fs*`). */
    groups: z
      .record(z.string().regex(GROUP_PATTERN, "a group name (lower-case letters, digits, - and _)"), z.array(member))
      .default({}),
  })
  .strict();

const approvalSchema = z
  .object({
    /** Environments whose applies and rollouts need approval. */
    environments: z.array(z.string().regex(ENVIRONMENT_PATTERN, "a Puppet environment name")).default(["production"]),
    count: z.number().int().min(1).default(1),
    permission: z.string().min(1).default(PERMISSIONS.approve),
    ttl: duration("30m"),
  })
  .strict();

export const puppetConfigSchema = z
  .object({
    /** How hosts are reached. */
    runner: runnerSchema,
    /**
     * The environments directory (each environment a folder, usually a git worktree the deploy plugin made).
     * The local runner applies `<environmentPath>/<env>/manifests`; both runners read an environment's commit
     * here (`git rev-parse HEAD`). Required for `local`; for `ssh` without it, the commit is the reports'
     * configuration_version.
     */
    environmentPath: z.string().min(1).optional(),
    /**
     * What an approval pins. `commit` (default): the environment's commit, read from `environmentPath` at the check
     * and again before the run; an approved run whose commit cannot be read is refused. `name-only`: accept that an
     * approval pins only the environment's name (the ssh runner without `environmentPath`).
     */
    pinning: z.enum(["commit", "name-only"]).default("commit"),
    /** The branch whose environment is `production` (as in the deploy plugin's puppet-environment.sh). */
    productionBranch: z
      .string()
      .superRefine((value, ctx) => {
        const problem = refProblem(value);
        if (problem) ctx.addIssue({ code: "custom", message: problem });
      })
      .default("main"),
    /** Hosts and groups (merged with `inventoryFile`). */
    inventory: inventorySchema.prefault({}),
    /** A YAML file with `hosts:` and `groups:` like `inventory`, re-read on every command. */
    inventoryFile: z.string().min(1).optional(),
    /** How many hosts a noop or a batch runs at once. */
    concurrency: z.number().int().min(1).max(100).default(5),
    /** One host's puppet run is stopped after this long. */
    runTimeout: duration("30m"),
    /** A rollout needs a successful noop of the same environment and commit on every host within this time. */
    noopMaxAge: duration("1h"),
    rollout: z
      .object({
        /** Hosts per batch after the canary. */
        batch: z.number().int().min(1).max(1000).default(5),
        /** The rollout stops once this many hosts have failed. */
        maxFailures: z.number().int().min(1).default(1),
        /** Whether the first host runs alone first. */
        canary: z.boolean().default(true),
        /** The whole rollout is stopped after this long. */
        timeout: duration("4h"),
      })
      .strict()
      .prefault({}),
    /** Approval for applies and rollouts to some environments (`false`: none). */
    approval: z.union([z.literal(false), approvalSchema]).prefault({}),
    output: z
      .object({
        /** Lines of a summary shown in the room; the whole summary then goes to the asker privately. */
        roomLines: z.number().int().min(3).default(15),
        /** Lines of a file diff shown per change. */
        diffLines: z.number().int().min(0).default(10),
      })
      .strict()
      .prefault({}),
  })
  .strict()
  .superRefine((config, ctx) => {
    if (config.runner.type === "local" && !config.environmentPath)
      ctx.addIssue({ code: "custom", path: ["environmentPath"], message: "the local runner needs environmentPath" });
    for (const group of Object.keys(config.inventory.groups)) {
      if (Object.hasOwn(config.inventory.hosts, group))
        ctx.addIssue({ code: "custom", path: ["inventory", "groups", group], message: "a host has the same name" });
      if (group === "all") ctx.addIssue({ code: "custom", path: ["inventory", "groups", group], message: "reserved" });
    }
  });

/** The validated configuration. */
export type PuppetConfig = z.output<typeof puppetConfigSchema>;
/** The configuration as written (durations as strings, defaults optional). */
export type PuppetConfigInput = z.input<typeof puppetConfigSchema>;
export type Inventory = z.output<typeof inventorySchema>;
export type HostConfig = z.output<typeof hostSchema>;
export type LocalRunnerConfig = z.output<typeof localRunnerSchema>;
export type SshRunnerConfig = z.output<typeof sshRunnerSchema>;
