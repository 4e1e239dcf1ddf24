/**
 * The plugin's configuration (`plugins.paging` in the switchboard file), validated with zod at start-up.
 * @module
 */
import { durationSchema, parseDuration, roomRefSchema } from "@switchboard/core";
import { z } from "zod";
import { NAME_PATTERN, PAGERDUTY_ID_PATTERN } from "./names.js";

/** A schedule or service name in the configuration: what people type in chat. */
const name = z.string().regex(NAME_PATTERN, "lower-case letters, digits, - and _ (at most 63 characters)");

const timeZone = z.string().refine(isTimeZone, { message: "not an IANA time zone (e.g. Europe/Berlin, UTC)" });

const email = z.string().regex(/^[^\s@<>]+@[^\s@<>]+\.[^\s@<>]+$/, "an e-mail address");

const rooms = z.array(roomRefSchema).default([]);

/** A value that may come from an unset environment variable (`${KEY:-}`): empty means absent. */
const unlessEmpty = <T extends z.ZodType>(schema: T) =>
  z.union([z.literal("").transform(() => undefined), schema]).optional();

/** `true`/`false`, also as the strings an environment variable gives (`${PAGERDUTY_DRY_RUN:-false}`). */
const flag = z.union([z.boolean(), z.enum(["true", "false"]).transform((value) => value === "true")]);

const withDefault = (fallback: string) => durationSchema.default(parseDuration(fallback) as number);

/** One person (a principal id from `principals:`) as the paging plugin knows them. */
export const personSchema = z
  .object({
    /** Times are shown to this person in this zone (otherwise in the schedule's). */
    timeZone: timeZone.optional(),
    /** Their PagerDuty login e-mail: links them without `pager me as` (and nobody else can claim it). */
    email: email.optional(),
  })
  .strict();

/** A rotation of the local rota. */
export const localScheduleSchema = z
  .object({
    /** How long each person holds the pager. */
    rotation: z.enum(["daily", "weekly"]).default("weekly"),
    /** Principal ids, in the order they take over. */
    people: z.array(z.string().min(1)).min(1, "a rotation needs at least one person"),
    /**
     * When the first person's first shift begins, in the schedule's time zone (`2026-11-23T09:00`): handovers
     * happen at this wall-clock time every day or week, across daylight-saving changes.
     */
    start: z.string().regex(/^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2})?)?$/, "a local date-time like 2026-11-23T09:00"),
    /** The schedule's time zone (default: `local.timeZone`). */
    timeZone: timeZone.optional(),
  })
  .strict();

/** A service of the local rota: what `pager trigger <service>` pages. */
export const localServiceSchema = z
  .object({
    /** The schedule whose on-call person is paged. */
    schedule: name,
    /** Rooms where its incidents are posted (default: the plugin's `rooms`). */
    rooms: rooms.optional(),
    /** An unacknowledged incident goes to the next person in the rotation after this long (default `local.escalateAfter`). */
    escalateAfter: durationSchema.optional(),
  })
  .strict();

/** Alertmanager's webhook receiver raising local incidents (one per alert group, resolved with it). */
export const alertmanagerHookSchema = z
  .object({
    /** The route the bot's HTTP endpoint serves. */
    path: z
      .string()
      .regex(/^\/[A-Za-z0-9/_-]*$/, "an absolute path")
      .default("/hooks/paging/alertmanager"),
    /** Alertmanager sends it as `Authorization: Bearer <token>` (webhook_configs.http_config.authorization). */
    token: z.string().min(16, "at least 16 characters (generate one: openssl rand -hex 32)"),
    /** The alert label that names the service to page. */
    serviceLabel: z.string().min(1).default("service"),
    /** The service paged when the label is missing or names no configured service. */
    defaultService: name.optional(),
  })
  .strict();

/** The built-in rota, kept in the bot's store. */
export const localSchema = z
  .object({
    /** Default time zone of schedules. */
    timeZone: timeZone.default("UTC"),
    /** Default time before an unacknowledged incident escalates to the next person. */
    escalateAfter: withDefault("15m"),
    /** How many times an incident escalates before the bot stops paging (default: once through the rotation). */
    maxEscalations: z.number().int().min(0).optional(),
    schedules: z.record(name, localScheduleSchema).default({}),
    services: z.record(name, localServiceSchema).default({}),
    alertmanager: alertmanagerHookSchema.optional(),
  })
  .strict();

/** A PagerDuty service as chat names it. */
export const pagerDutyServiceSchema = z
  .object({
    /** The service id (`PWIXJZS`), for maintenance windows and webhook room mapping. */
    id: unlessEmpty(z.string().regex(PAGERDUTY_ID_PATTERN, "a PagerDuty id like PWIXJZS")),
    /** The Events API v2 integration key (`routing_key`) that `pager trigger <service>` sends to. */
    routingKey: unlessEmpty(z.string()),
    /** Rooms where webhook updates of this service's incidents go (default: the plugin's `rooms`). */
    rooms: rooms.optional(),
  })
  .strict();

/** PagerDuty v3 webhook subscription. */
export const webhookSchema = z
  .object({
    /** The route the bot's HTTP endpoint serves. */
    path: z
      .string()
      .regex(/^\/[A-Za-z0-9/_-]*$/, "an absolute path like /hooks/pagerduty")
      .default("/hooks/pagerduty"),
    /** Subscription secrets; a delivery is accepted when one of its `v1=` signatures matches any of them (rotation). */
    secrets: z.array(z.string().min(8)).min(1, "give the webhook subscription's secret"),
    /** Deliveries whose event is older than this are ignored (a replayed old delivery cannot reopen an incident). */
    maxAge: withDefault("1h"),
  })
  .strict();

/** The PagerDuty provider. */
export const pagerDutySchema = z
  .object({
    /** A REST API token (account or user token). Read-only tokens can answer `oncall` but not act. */
    token: z.string().min(1, "set PAGERDUTY_TOKEN"),
    /** REST API base URL (EU accounts: https://api.eu.pagerduty.com). */
    apiUrl: z.url().default("https://api.pagerduty.com"),
    /** Events API v2 base URL (EU accounts: https://events.eu.pagerduty.com). */
    eventsUrl: z.url().default("https://events.pagerduty.com"),
    /** Schedule names for chat → schedule ids. When empty, every schedule of the account, by its PagerDuty name. */
    schedules: z.record(name, z.string().regex(PAGERDUTY_ID_PATTERN, "a PagerDuty id like PI7DH85")).default({}),
    services: z.record(name, pagerDutyServiceSchema).default({}),
    /** One request's time limit. */
    timeout: withDefault("10s"),
    /** Retries after a 429 answer (waiting as its Retry-After says). */
    maxRetries: z.number().int().min(0).max(5).default(2),
    /** A 429 asking to wait longer than this is reported instead of waited for. */
    maxRetryWait: withDefault("30s"),
    webhook: webhookSchema.optional(),
    /**
     * How people without an e-mail in `people` get linked to their PagerDuty user: `approval` (`pager me as <email>`
     * waits for someone with `paging:admin` to approve it) or `config` (only `people.<principal>.email`).
     */
    linking: z.enum(["approval", "config"]).default("approval"),
  })
  .strict();

/** The whole `plugins.paging` section. */
export const pagingConfigSchema = z
  .object({
    /** Where schedules and incidents live: the built-in rota (`local`) or PagerDuty. */
    provider: z.enum(["local", "pagerduty"]).default("local"),
    /** Answer as if acting, change nothing, and say so. */
    dryRun: flag.default(false),
    /** Schedule used when a command names none (default: the only one, if there is one). */
    defaultSchedule: z.string().min(1).optional(),
    /** Rooms for incident messages that no service maps elsewhere. */
    rooms,
    /** Time zone of times in incident messages posted to rooms. */
    timeZone: timeZone.default("UTC"),
    /** Per principal id: time zone and PagerDuty e-mail. */
    people: z.record(z.string().min(1), personSchema).default({}),
    local: localSchema.prefault({}),
    pagerduty: pagerDutySchema.optional(),
  })
  .strict()
  .superRefine((config, ctx) => {
    if (config.provider === "pagerduty" && !config.pagerduty)
      ctx.addIssue({ code: "custom", path: ["pagerduty"], message: "provider is pagerduty: add a pagerduty section" });
    const fallback = config.local.alertmanager?.defaultService;
    if (fallback !== undefined && !Object.hasOwn(config.local.services, fallback))
      ctx.addIssue({
        code: "custom",
        path: ["local", "alertmanager", "defaultService"],
        message: `no service "${fallback}" under local.services`,
      });
    for (const [key, service] of Object.entries(config.local.services)) {
      if (!Object.hasOwn(config.local.schedules, service.schedule))
        ctx.addIssue({
          code: "custom",
          path: ["local", "services", key, "schedule"],
          message: `no schedule "${service.schedule}" under local.schedules`,
        });
    }
  });

export type PagingConfig = z.output<typeof pagingConfigSchema>;
export type PagingConfigInput = z.input<typeof pagingConfigSchema>;
export type LocalConfig = PagingConfig["local"];
export type LocalScheduleConfig = z.output<typeof localScheduleSchema>;
export type PagerDutyConfig = z.output<typeof pagerDutySchema>;
export type WebhookConfig = z.output<typeof webhookSchema>;
export type AlertmanagerHookConfig = z.output<typeof alertmanagerHookSchema>;

/** Whether `zone` is a time zone this runtime knows. */
export function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat("en", { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}
