/**
 * The plugin's configuration (`plugins.lb` in the switchboard file), validated with zod at start-up.
 * @module
 */
import { durationSchema, parseDuration, roomRefSchema } from "@switchboard/core";
import { z } from "zod";
import { CONFIG_NAME_PATTERN } from "./names.js";
import { parseEndpoint } from "./runtime-api.js";

const name = z.string().regex(CONFIG_NAME_PATTERN, "lower-case letters, digits, - and _ (at most 63 characters)");

/** A runtime API address: a unix socket path (`/run/haproxy/admin.sock`, `unix:…`, `./…`) or `host:port`. */
export const endpointSchema = z
  .string()
  .min(1, "a unix socket path or host:port (is the environment variable set?)")
  .superRefine((value, ctx) => {
    if (value === "") return;
    try {
      parseEndpoint(value);
    } catch (error) {
      ctx.addIssue({ code: "custom", message: (error as Error).message });
    }
  });

/** A site: HAProxy instances that balance the same backends; every change goes to each of them. */
export const siteSchema = z
  .object({
    /** Instance name → its runtime API (`stats socket … level admin`). */
    instances: z
      .record(name, endpointSchema)
      .refine((instances) => Object.keys(instances).length > 0, "a site needs at least one instance"),
  })
  .strict();

/** The whole `plugins.lb` section. */
export const lbConfigSchema = z
  .object({
    sites: z.record(name, siteSchema).refine((sites) => Object.keys(sites).length > 0, "configure at least one site"),
    /** The site commands use without `--site` (default: the only one). */
    defaultSite: name.optional(),
    /** How long one runtime API command may take. */
    timeout: durationSchema.default(parseDuration("5s")!),
    /** Rooms where every change is also posted (it is always answered in the room where it was asked). */
    rooms: z.array(roomRefSchema).default([]),
  })
  .strict()
  .superRefine((config, ctx) => {
    if (config.defaultSite !== undefined && !Object.hasOwn(config.sites, config.defaultSite))
      ctx.addIssue({ code: "custom", path: ["defaultSite"], message: `no site "${config.defaultSite}" under sites` });
  });

export type LbConfig = z.output<typeof lbConfigSchema>;
export type LbConfigInput = z.input<typeof lbConfigSchema>;
