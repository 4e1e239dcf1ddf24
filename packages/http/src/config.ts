/**
 * The `http:` section of the configuration: where to listen, limits, and the webhook sources with their rooms.
 * Light on purpose (zod and core only): `switchboard config check` validates it without loading the server.
 * @module
 */
import { durationSchema, type RoomRef, roomRefSchema } from "@switchboard/core";
import { parseRoomRef } from "@switchboard/core/app";
import { z } from "zod";
import { parseMatcher } from "./alertmanager/matchers.js";
import { parseTemplate } from "./generic/template.js";

/** `host:port`, `[::1]:8080` or a bare port (then on 127.0.0.1). Port 0 picks a free port (tests). */
export const listenSchema = z.union([z.string(), z.number()]).transform((value, ctx) => {
  const text = String(value).trim();
  const match = /^(?:(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+):)?(\d{1,5})$/.exec(text);
  const port = match ? Number(match[2]) : Number.NaN;
  if (!match || port > 65_535) {
    ctx.addIssue({ code: "custom", message: `not an address: ${JSON.stringify(value)} (use 127.0.0.1:8080)` });
    return z.NEVER;
  }
  const host = (match[1] ?? "127.0.0.1").replace(/^\[(.*)\]$/, "$1");
  return { host, port };
});

/** A size in bytes: a number, or `512kb`, `1mb`. */
export const byteSizeSchema = z.union([z.number().int().positive(), z.string()]).transform((value, ctx) => {
  if (typeof value === "number") return value;
  const match = /^\s*(\d+)\s*(b|kb|mb)?\s*$/i.exec(value);
  if (!match) {
    ctx.addIssue({ code: "custom", message: `not a size: ${JSON.stringify(value)} (use 1mb, 256kb or bytes)` });
    return z.NEVER;
  }
  const unit = (match[2] ?? "b").toLowerCase();
  return Number(match[1]) * (unit === "mb" ? 1024 * 1024 : unit === "kb" ? 1024 : 1);
});

const secretSchema = (what: string) =>
  z.string().min(16, `${what} must be at least 16 characters (generate one: openssl rand -hex 32)`).describe("secret");

/** Requests per window, per source and client address. */
export const rateLimitSchema = z
  .object({
    /** Requests allowed per window. */
    max: z.number().int().positive().default(120),
    /** The window. */
    window: durationSchema.default(60_000),
  })
  .strict();

/** A room: `irc:#ops` or `{ network, room }` (core's format), with a message that says which form is expected. */
const roomSchema = z.unknown().transform((value, ctx): RoomRef => {
  if (typeof value === "string") {
    try {
      return parseRoomRef(value);
    } catch (error) {
      ctx.addIssue({ code: "custom", message: (error as Error).message });
      return z.NEVER;
    }
  }
  const parsed = roomRefSchema.safeParse(value);
  if (parsed.success) return parsed.data;
  ctx.addIssue({ code: "custom", message: "a room is network:room (irc:#ops) or { network, room }" });
  return z.NEVER;
});

const roomsSchema = z.array(roomSchema).min(1, "name at least one room (network:room)");

/** What a repository's rooms hear about. */
export const githubEventKinds = ["ci", "deployment", "merged", "push"] as const;
export type GithubEventKind = (typeof githubEventKinds)[number];

/** A repository's entry: a list of rooms, or `{ rooms, events }`. */
const repoRoomsSchema = z.preprocess(
  (value) => (Array.isArray(value) || typeof value === "string" ? { rooms: [value].flat() } : value),
  z
    .object({
      rooms: roomsSchema,
      /** Default: all of ci, deployment, merged, push. */
      events: z
        .array(z.enum(githubEventKinds))
        .min(1)
        .default([...githubEventKinds]),
    })
    .strict(),
);

/** Record keys checked one by one, so that the message names the key and says what is expected. */
function checkKeys(check: (key: string) => string | undefined) {
  return (record: Record<string, unknown>, ctx: z.RefinementCtx) => {
    for (const key of Object.keys(record)) {
      const problem = check(key);
      if (problem) ctx.addIssue({ code: "custom", path: [key], message: problem });
    }
  };
}

const REPO_KEY = /^(\*|[A-Za-z0-9_.-]+\/(\*|[A-Za-z0-9_.-]+))$/;

export const githubConfigSchema = z
  .object({
    /** The webhook's secret (GitHub: Settings → Webhooks → Secret). */
    secret: secretSchema("github.secret"),
    /** `owner/name` (or `owner/*`, `*`) → rooms, or `{ rooms, events }`. The most specific key wins. */
    repos: z
      .record(z.string(), repoRoomsSchema)
      .superRefine(checkKeys((key) => (REPO_KEY.test(key) ? undefined : "a repository is owner/name, owner/* or *"))),
    /** How long delivery ids are remembered to refuse replays. */
    dedupeFor: durationSchema.default(24 * 3_600_000),
    rateLimit: rateLimitSchema.optional(),
  })
  .strict();

const matcherSchema = z.string().transform((text, ctx) => {
  try {
    return parseMatcher(text);
  } catch (error) {
    ctx.addIssue({ code: "custom", message: (error as Error).message });
    return z.NEVER;
  }
});

export const alertRouteSchema = z
  .object({
    /** Alertmanager-style matchers on the group's common labels: `severity="page"`, `team=~"db|web"`. */
    matchers: z.array(matcherSchema).default([]),
    rooms: roomsSchema,
    /** Keep looking at later routes after this one matched. */
    continue: z.boolean().default(false),
  })
  .strict();

export const alertmanagerConfigSchema = z
  .object({
    /** The bearer token Alertmanager sends (`http_config.authorization.credentials`). */
    token: secretSchema("alertmanager.token"),
    /** Tried in order; the first match wins unless it says `continue: true`. No match: not posted. */
    routes: z.array(alertRouteSchema).min(1),
    /** How long a group's announcement is edited in place by later notifications of the same group. */
    editWindow: durationSchema.default(24 * 3_600_000),
    /** Alerts listed per message (the rest are counted). */
    maxAlerts: z.number().int().positive().default(10),
    rateLimit: rateLimitSchema.optional(),
  })
  .strict();

const templateSchema = z.string().superRefine((text, ctx) => {
  try {
    parseTemplate(text);
  } catch (error) {
    ctx.addIssue({ code: "custom", message: (error as Error).message });
  }
});

const headerNameSchema = z
  .string()
  .regex(/^[A-Za-z0-9-]+$/, "a header name")
  .transform((name) => name.toLowerCase());

const FIELD_PATH = /^[A-Za-z0-9_$-]+(\.[A-Za-z0-9_$-]+)*$/;

export const hookConfigSchema = z
  .object({
    /**
     * HMAC-SHA256 key; the sender signs the exact body (or `<timestamp>.<body>` with `timestampHeader`) and sends
     * `sha256=<hex>` in `signatureHeader`.
     */
    secret: secretSchema("the hook's secret"),
    rooms: roomsSchema,
    /** The message: text with `{{field.path}}` placeholders filled from the JSON body. No code. */
    template: templateSchema,
    /** A link under the message, same placeholders (`{{url}}`); only http(s) links are posted. */
    link: templateSchema.optional(),
    /** Show the message as a status line of this level. */
    status: z.enum(["ok", "warn", "fail", "info"]).optional(),
    signatureHeader: headerNameSchema.default("x-signature-256"),
    /**
     * Replay protection by time: a header with the Unix time (seconds) of sending; the signature covers
     * `<timestamp>.<body>`, and a timestamp further than `window` from now is refused.
     */
    timestampHeader: headerNameSchema.optional(),
    /** How far a signed timestamp may be from now (either way). */
    window: durationSchema.default(5 * 60_000),
    /** Replay protection by id: a field of the signed body (`id`, `delivery.id`) with a unique delivery id. */
    deliveryField: z.string().regex(FIELD_PATH, "a field path: id or delivery.id").optional(),
    /** How long delivery ids and body digests are remembered to refuse replays. */
    dedupeFor: durationSchema.default(24 * 3_600_000),
    /** Refused with an explanation: a header id is not signed, so it never protected against replays. */
    deliveryHeader: z.unknown().optional(),
    rateLimit: rateLimitSchema.optional(),
  })
  .strict()
  .superRefine((hook, ctx) => {
    if (hook.deliveryHeader !== undefined)
      ctx.addIssue({
        code: "custom",
        path: ["deliveryHeader"],
        message:
          "a delivery id in a header is not signed (a captured delivery replays under a fresh id): use deliveryField (an id inside the signed body) or timestampHeader (a signed timestamp)",
      });
    else if (hook.timestampHeader === undefined && hook.deliveryField === undefined)
      ctx.addIssue({
        code: "custom",
        message:
          "a hook needs replay protection: timestampHeader (the sender signs <timestamp>.<body>) or deliveryField (a unique id inside the signed body)",
      });
    if (hook.window > hook.dedupeFor)
      ctx.addIssue({ code: "custom", path: ["window"], message: "window must not be longer than dedupeFor" });
  });

const hookNameProblem = (name: string) =>
  !/^[a-z0-9][a-z0-9-]{0,39}$/.test(name)
    ? "a hook name is lower-case letters, digits and dashes (at most 40)"
    : name === "github" || name === "alertmanager"
      ? "github and alertmanager are built in: configure them under http.github and http.alertmanager"
      : undefined;

/** The web view (`http.web`): pages reached only by signed, expiring links the bot gives in chat. */
export const webConfigSchema = z
  .object({
    /** HMAC-SHA256 key that signs links (`${SWITCHBOARD_WEB_KEY}`); never logged. Changing it voids every link. */
    key: z
      .string()
      .min(32, "http.web.key must be at least 32 characters (generate one: openssl rand -hex 32)")
      .describe("secret"),
    /** The address people open (`${SWITCHBOARD_PUBLIC_URL}`), e.g. `https://bot.example.com`; links start with it. */
    publicUrl: z
      .url({ protocol: /^https?$/, error: "http.web.publicUrl must be an http(s) URL" })
      .transform((url) => url.replace(/\/+$/, "")),
    /** How long a link is valid after it was given. */
    linkTtl: durationSchema.default(15 * 60_000),
  })
  .strict();

/** The `http:` section. */
export const httpConfigSchema = z
  .object({
    /** Address to listen on. Default 127.0.0.1:8080 (loopback only). */
    listen: listenSchema.default({ host: "127.0.0.1", port: 8080 }),
    /** Serve HTTPS with these PEM files (for deployments without a proxy in front). */
    tls: z
      .object({ cert: z.string().min(1), key: z.string().min(1) })
      .strict()
      .optional(),
    /** Trust X-Forwarded-For from a proxy in front (client addresses for rate limits and logs). */
    trustProxy: z.boolean().default(false),
    /** Largest request body. Default 1mb. */
    bodyLimit: byteSizeSchema.default(1024 * 1024),
    timeouts: z
      .object({
        /** Whole request, headers and body. */
        request: durationSchema.default(10_000),
        /** Idle keep-alive connections are closed after this. */
        keepAlive: durationSchema.default(5_000),
      })
      .strict()
      .prefault({}),
    /** Default rate limit of every source (a webhook, a plugin's route), per client address. */
    rateLimit: rateLimitSchema.prefault({}),
    /** Serve /metrics. */
    metrics: z.boolean().default(true),
    github: githubConfigSchema.optional(),
    alertmanager: alertmanagerConfigSchema.optional(),
    /** Generic hooks: `POST /hooks/<name>`. */
    hooks: z.record(z.string(), hookConfigSchema).superRefine(checkKeys(hookNameProblem)).default({}),
    /** The web view of jobs, approvals and the audit log. Absent: no pages (every /web path answers 404). */
    web: webConfigSchema.optional(),
  })
  .strict();

/** A validated `http:` section. */
export type HttpConfig = z.output<typeof httpConfigSchema>;
/** The `http:` section as written. */
export type HttpConfigInput = z.input<typeof httpConfigSchema>;
export type GithubConfig = z.output<typeof githubConfigSchema>;
export type AlertmanagerConfig = z.output<typeof alertmanagerConfigSchema>;
export type HookConfig = z.output<typeof hookConfigSchema>;
export type RateLimit = z.output<typeof rateLimitSchema>;
export type WebConfig = z.output<typeof webConfigSchema>;
