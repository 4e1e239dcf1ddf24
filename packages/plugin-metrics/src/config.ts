/**
 * The plugin's configuration (`plugins.metrics` in the switchboard file), validated with zod at start-up.
 * @module
 */
import { durationSchema } from "@switchboard/core";
import { z } from "zod";
import { unitSchema } from "./units.js";

/** Backend and alias names: lower-case letters, digits, `-` and `_`, starting with a letter. */
export const NAME_PATTERN = /^[a-z][a-z0-9_-]{0,31}$/;
const name = z.string().regex(NAME_PATTERN, "lower-case letters, digits, - and _, starting with a letter (≤ 32)");
const envName = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, "an environment variable name");

const baseUrl = z.url({ protocol: /^https?$/ }).superRefine((value, ctx) => {
  const url = new URL(value);
  if (url.username || url.password)
    ctx.addIssue({ code: "custom", message: "no credentials in the URL; use auth with environment variables" });
  if (url.search || url.hash) ctx.addIssue({ code: "custom", message: "no query string or fragment in the URL" });
});

/**
 * Words an alias may not be called: the `graph` sub-commands, and PromQL keywords and common functions, so that
 * `graph sum by (job) (up)` is never read as an alias.
 */
export const RESERVED_ALIAS_NAMES = new Set([
  "list",
  "save",
  "me",
  "now",
  "sum",
  "avg",
  "min",
  "max",
  "count",
  "group",
  "stddev",
  "stdvar",
  "topk",
  "bottomk",
  "quantile",
  "count_values",
  "rate",
  "irate",
  "increase",
  "delta",
  "by",
  "without",
  "and",
  "or",
  "unless",
  "offset",
  "bool",
  "on",
  "ignoring",
  "vector",
  "scalar",
  "abs",
  "histogram_quantile",
]);

/** Credentials, read from the environment at request time; never written in the file. */
export const authSchema = z.discriminatedUnion("type", [
  z.object({ type: z.literal("bearer"), /** Variable holding the token. */ tokenEnv: envName }).strict(),
  z
    .object({
      type: z.literal("basic"),
      /** Variable holding the user name. */
      usernameEnv: envName,
      /** Variable holding the password. */
      passwordEnv: envName,
    })
    .strict(),
]);
export type AuthConfig = z.infer<typeof authSchema>;

/** A metrics server. */
export const backendSchema = z
  .object({
    /** `prometheus` (query_range / query) or `graphite` (render API). */
    type: z.enum(["prometheus", "graphite"]),
    /** Base URL; the API paths are appended (`/api/v1/query_range`, `/render`). Targets never change it. */
    url: baseUrl,
    auth: authSchema.optional(),
    /** Time limit of one request to this backend. */
    timeout: durationSchema.default(15_000),
    /** Largest answer read, in bytes; a larger one is refused (a query that selects too much). */
    maxResponseBytes: z
      .number()
      .int()
      .min(1024)
      .max(256 * 1024 * 1024)
      .default(16 * 1024 * 1024),
    /** Graphite only: `json` (the bot draws the chart) or `png` (Graphite draws it; the JSON still feeds the text). */
    render: z.enum(["json", "png"]).default("json"),
  })
  .strict();
export type BackendConfig = z.infer<typeof backendSchema>;

/** ok/warn/fail marks for `metrics`: `warn`/`fail` are limits; `below: true` when low values are bad. */
export const thresholdsSchema = z
  .object({
    warn: z.number().optional(),
    fail: z.number().optional(),
    /** True when values below the limits are bad (free disk space); default: above is bad (load). */
    below: z.boolean().default(false),
  })
  .strict();
export type Thresholds = z.infer<typeof thresholdsSchema>;

/** A parameter value of an alias: a host name, an instance, a Graphite node. */
export const DEFAULT_PARAM_PATTERN = "^[A-Za-z0-9][A-Za-z0-9_.:-]{0,127}$";

/** A saved query: `load: { target: 'node_load1{instance=~"$host(:.*)?"}' }` → `graph load fs1`. */
export const aliasSchema = z
  .object({
    /** The query; `$name` marks a parameter, filled from the words after the alias in order. */
    target: z.string().min(1).max(2000),
    /** Which backend (default: `defaultBackend`). */
    backend: name.optional(),
    /** One line for `graph list`. */
    description: z.string().max(200).optional(),
    unit: unitSchema.optional(),
    thresholds: thresholdsSchema.optional(),
    /** Values for parameters that were not given. */
    defaults: z.record(z.string(), z.string()).default({}),
    /** A pattern per parameter its values must match (default: host-name characters only). */
    patterns: z.record(z.string(), z.string()).default({}),
  })
  .strict();
export type AliasConfig = z.infer<typeof aliasSchema>;

const timeZone = z.string().refine((tz) => {
  try {
    new Intl.DateTimeFormat("en", { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}, "an IANA time zone such as UTC or Europe/Berlin");

/** The whole `plugins.metrics` section. */
export const metricsConfigSchema = z
  .object({
    /** Metrics servers by name; a target picks one with `name:` in front, an alias with `backend:`. */
    backends: z.record(name, backendSchema).refine((b) => Object.keys(b).length > 0, "configure at least one backend"),
    /** The backend for targets that name none (default: the first one). */
    defaultBackend: name.optional(),
    /** Saved queries from the file (`graph save` adds more to the store). */
    aliases: z.record(name, aliasSchema).default({}),
    /** Range when none is typed. */
    defaultRange: durationSchema.default(3_600_000),
    /** Longest range anyone may ask for. */
    maxRange: durationSchema.default(30 * 86_400_000),
    /** Points per series at most (the step is chosen from the range to stay below). */
    maxPoints: z.number().int().min(10).max(11_000).default(1000),
    /** Series drawn at most (top N by last value; the rest are summarised in the text). */
    maxSeries: z.number().int().min(1).max(50).default(8),
    /** Charts rendered at the same time at most (others wait). */
    maxConcurrentRenders: z.number().int().min(1).max(16).default(2),
    chart: z
      .object({
        width: z.number().int().min(320).max(2400).default(800),
        height: z.number().int().min(200).max(1600).default(400),
        theme: z.enum(["dark", "light"]).default("dark"),
        /** Time axis and title in this zone. */
        timeZone: timeZone.default("UTC"),
      })
      .strict()
      .prefault({}),
    /** Chart images served over HTTP (signed, expiring links), when the app has an `http:` section. */
    images: z
      .object({
        /** The bot's public base URL (`https://bot.example.org`); without it no links are made. */
        publicUrl: baseUrl.optional(),
        /** Route path of the images. */
        path: z
          .string()
          .regex(/^\/[A-Za-z0-9/_-]*$/)
          .default("/metrics/chart"),
        /** How long a link works. */
        ttl: durationSchema.default(86_400_000),
        /** Images kept in memory at most (oldest dropped first). */
        maxImages: z.number().int().min(1).max(10_000).default(200),
        /** Bytes of images kept in memory at most. */
        maxBytes: z
          .number()
          .int()
          .min(64 * 1024)
          .default(32 * 1024 * 1024),
        /** Variable with the signing key (≥ 32 characters); default: a random key per start. */
        signingKeyEnv: envName.optional(),
      })
      .strict()
      .prefault({}),
    /** Time limit of one `graph` or `metrics` command. */
    timeout: durationSchema.default(60_000),
  })
  .strict()
  .superRefine((config, ctx) => {
    const backends = Object.keys(config.backends);
    if (config.defaultBackend && !Object.hasOwn(config.backends, config.defaultBackend))
      ctx.addIssue({ code: "custom", path: ["defaultBackend"], message: `no backend "${config.defaultBackend}"` });
    for (const [alias, spec] of Object.entries(config.aliases)) {
      if (RESERVED_ALIAS_NAMES.has(alias))
        ctx.addIssue({
          code: "custom",
          path: ["aliases", alias],
          message: `"${alias}" is reserved; choose another name`,
        });
      if (spec.backend && !Object.hasOwn(config.backends, spec.backend))
        ctx.addIssue({
          code: "custom",
          path: ["aliases", alias, "backend"],
          message: `no backend "${spec.backend}" (backends: ${backends.join(", ")})`,
        });
      for (const [param, pattern] of Object.entries(spec.patterns)) {
        try {
          new RegExp(pattern);
        } catch {
          ctx.addIssue({
            code: "custom",
            path: ["aliases", alias, "patterns", param],
            message: "not a regular expression",
          });
        }
      }
    }
    if (config.defaultRange > config.maxRange)
      ctx.addIssue({ code: "custom", path: ["defaultRange"], message: "longer than maxRange" });
  });

export type MetricsConfig = z.infer<typeof metricsConfigSchema>;
export type MetricsConfigInput = z.input<typeof metricsConfigSchema>;
