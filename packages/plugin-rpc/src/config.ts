/**
 * The plugin's configuration (`plugins.rpc` in the switchboard file), validated with zod at start-up.
 * @module
 */
import { durationSchema, parseDuration } from "@switchboard/core";
import { z } from "zod";
import { PREFIX_PATTERN } from "./names.js";

const withDefault = (fallback: string) => durationSchema.default(parseDuration(fallback) as number);

/** An http(s) URL without query or fragment. */
export const endpointUrlSchema = z.string().refine(
  (value) => {
    try {
      const url = new URL(value);
      return (url.protocol === "https:" || url.protocol === "http:") && !url.search && !url.hash && !url.username;
    } catch {
      return false;
    }
  },
  { message: "an http:// or https:// URL without query, fragment or credentials" },
);

/** A principal id → the login the endpoint knows them by. */
const loginsSchema = z.record(z.string().min(1), z.string().regex(/^[A-Za-z0-9._@-]{1,100}$/, "a login slug"));

/** One ChatOps RPC endpoint from the configuration. */
export const endpointConfigSchema = z
  .object({
    /** The listing URL (`https://ops.example.com/_chatops`); methods are POSTed to `<url>/<path>`. */
    url: endpointUrlSchema,
    /** The word every method of this endpoint is typed after: `ops` → `!ops restart web`. */
    prefix: z.string().regex(PREFIX_PATTERN, "one lower-case word: a-z, 0-9, - and _ (at most 32 characters)"),
    /** Permission to run its methods (default `rpc:<prefix>`). */
    permission: z.string().min(1).optional(),
    /** How long one method call may take before it is cut off (default 30s). */
    timeout: withDefault("30s"),
    /** Which client key signs requests to this endpoint (default the first of `keys`). */
    key: z.string().min(1).optional(),
    /** Logins for this endpoint only, overriding the plugin's `logins`. */
    logins: loginsSchema.default({}),
  })
  .strict();

/** A client private key: its id (sent as `keyid=`) and the PEM file holding it. */
export const keyConfigSchema = z
  .object({
    id: z.string().regex(/^[A-Za-z0-9._-]{1,64}$/, "a key id slug"),
    /** Path to the PEM private key (RSA). */
    file: z.string().min(1),
  })
  .strict();

/** The `plugins.rpc` section. */
export const rpcConfigSchema = z
  .object({
    /**
     * One or two client keys. Requests are signed with the endpoint's `key` (default the first); when an endpoint
     * refuses a listing request as not authorized, the other key is tried and kept for that endpoint (key rotation).
     */
    keys: z.array(keyConfigSchema).min(1, "at least one key").max(2, "at most two keys (the current and the next)"),
    endpoints: z.array(endpointConfigSchema).default([]),
    /** Principal id → the login sent as `user` (default: the principal id; never a display name). */
    logins: loginsSchema.default({}),
    /** How often listings are fetched (default 10s). */
    pollInterval: withDefault("10s"),
    /** Longest wait between fetches after failures (×1.5 per failure; default 1h). */
    maxPollInterval: withDefault("1h"),
    /** Timeout of `rpc add` endpoints (default 30s). */
    defaultTimeout: withDefault("30s"),
    /** Largest answer accepted from an endpoint, listing or method, in bytes (default 1 MiB). */
    maxResponseBytes: z
      .number()
      .int()
      .min(1024)
      .default(1024 * 1024),
  })
  .strict()
  .superRefine((config, ctx) => {
    const seen = new Set<string>();
    config.endpoints.forEach((endpoint, index) => {
      if (seen.has(endpoint.prefix))
        ctx.addIssue({ code: "custom", path: ["endpoints", index, "prefix"], message: "prefix used twice" });
      seen.add(endpoint.prefix);
      if (endpoint.key && !config.keys.some((k) => k.id === endpoint.key))
        ctx.addIssue({ code: "custom", path: ["endpoints", index, "key"], message: "not one of the keys' ids" });
    });
    if (config.keys.length === 2 && config.keys[0]!.id === config.keys[1]!.id)
      ctx.addIssue({ code: "custom", path: ["keys", 1, "id"], message: "the two keys need different ids" });
  });

/** The validated configuration. */
export type RpcConfig = z.output<typeof rpcConfigSchema>;
/** The configuration as written. */
export type RpcConfigInput = z.input<typeof rpcConfigSchema>;
/** One validated endpoint. */
export type EndpointConfig = z.output<typeof endpointConfigSchema>;
