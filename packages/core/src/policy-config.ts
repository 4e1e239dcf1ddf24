/**
 * The shape of roles, principals and rules in configuration, validated with zod.
 * @module
 */
import { z } from "zod";
import { durationSchema } from "./duration.js";
import { isTimeZone } from "./schedule-when.js";

const oneOrMany = z.union([z.string(), z.array(z.string())]);

/** Approval settings in config: `{ count: 2, permission: deploy:approve, ttl: 15m }`. */
export const approvalConfigSchema = z
  .object({
    count: z.number().int().min(1).default(1),
    permission: z.string().min(1),
    ttl: durationSchema.optional(),
  })
  .strict();

/** A permission rule: conditions on command, arguments, room and network, and what they require. */
export const ruleConfigSchema = z
  .object({
    /** Names the rule in denials, `why` answers and the audit log. */
    name: z.string().min(1),
    /**
     * The commands it applies to, one or a list: a command name (`deploy lock`), a command group (`deploy *`: the
     * command `deploy` and every command under it, such as `deploy lock`, but not `deploys`), a name prefix ending
     * in `*` (`deploy*`: also `deploys`), or `*` for every command. Names, not aliases.
     */
    command: z.union([z.string().min(1), z.array(z.string().min(1)).min(1)]),
    when: z
      .object({
        /** Argument values that make the rule apply (a value or a list of values, `*` for any given value). */
        args: z.record(z.string(), oneOrMany).optional(),
        room: oneOrMany.optional(),
        network: oneOrMany.optional(),
      })
      .strict()
      .default({}),
    /** A permission the asker must also hold. */
    require: z.string().min(1).optional(),
    /** Refuse outright (deny wins over every grant). */
    deny: z.boolean().default(false),
    /** Require approval by other people. */
    approval: approvalConfigSchema.optional(),
    /**
     * Only from a device the network verified (Matrix: a cross-signed device, and a message not decrypted with
     * forwarded or unsigned keys); senders on networks without devices are refused by such a rule.
     */
    requireVerifiedDevice: z.boolean().default(false),
  })
  .strict()
  .refine(
    (rule) => rule.require !== undefined || rule.deny || rule.approval !== undefined || rule.requireVerifiedDevice,
    { message: "a rule needs at least one of require, deny, approval or requireVerifiedDevice" },
  );

/** A role: a named set of permissions. A permission starting with `!` denies (and deny wins). */
export const roleConfigSchema = z
  .object({
    description: z.string().optional(),
    permissions: z.array(z.string().min(1)).default([]),
  })
  .strict();

/** A person and the network identities the networks verify for them. */
export const principalConfigSchema = z
  .object({
    /** Display name (defaults to the principal id). */
    name: z.string().optional(),
    roles: z.array(z.string()).default([]),
    /** Network name → verified identity (IRC services account, Matrix user id, Slack user id, shell login). */
    identities: z.record(z.string(), oneOrMany).default({}),
    /** Their IANA time zone (`Europe/Berlin`): the zone of the schedules they make. Default: the bot's. */
    timezone: z
      .string()
      .refine(isTimeZone, { message: "not a time zone this runtime knows (use an IANA name such as Europe/Berlin)" })
      .optional(),
  })
  .strict();

/** Roles, principals and rules. */
export const policyConfigSchema = z
  .object({
    roles: z.record(z.string(), roleConfigSchema).default({}),
    principals: z.record(z.string(), principalConfigSchema).default({}),
    rules: z.array(ruleConfigSchema).default([]),
    /** The role everyone unverified or unknown gets. */
    guestRole: z.string().default("guest"),
  })
  .strict();

export type PolicyConfig = z.output<typeof policyConfigSchema>;
export type PolicyConfigInput = z.input<typeof policyConfigSchema>;
export type RuleConfig = z.output<typeof ruleConfigSchema>;
export type RoleConfig = z.output<typeof roleConfigSchema>;
export type PrincipalConfig = z.output<typeof principalConfigSchema>;
