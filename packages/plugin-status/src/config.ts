/**
 * The plugin's configuration (`plugins.status` in the switchboard file), validated with zod at start-up.
 * @module
 */
import { durationSchema, parseDuration, roomRefSchema } from "@switchboard/core";
import { z } from "zod";
import { KEY_PATTERN } from "./names.js";

const key = z.string().regex(KEY_PATTERN, "lower-case letters, digits, - and _ (at most 63 characters)");
const rooms = z.array(roomRefSchema).default([]);

/** A component of the page. */
export const componentSchema = z
  .object({
    /** What the page shows (default: the key). */
    name: z.string().min(1).max(100).optional(),
    /** Rooms where incidents of this component are posted (default: the plugin's `rooms`). */
    rooms: rooms.optional(),
    /** Statuspage: the component's id (default: found by its name). */
    statuspageId: z
      .string()
      .regex(/^[A-Za-z0-9]{1,32}$/, "a Statuspage component id")
      .optional(),
  })
  .strict();

/** The page the bot serves itself. */
export const pageSchema = z
  .object({
    /** The HTML page's path; JSON is served at the same path with `.json`. */
    path: z
      .string()
      .regex(/^\/[A-Za-z0-9/_-]*$/, "an absolute path like /status")
      .default("/status"),
    /** The page's title. */
    title: z.string().min(1).max(100).default("Service status"),
    /** Where people reach it (shown by the `status` command), e.g. https://bot.example.com/status. */
    publicUrl: z.url().optional(),
  })
  .strict();

/** Atlassian Statuspage (REST API v1). */
export const statuspageSchema = z
  .object({
    /** REST API base URL (STATUSPAGE_API_URL). */
    apiUrl: z.url().default("https://api.statuspage.io"),
    /** An API key (STATUSPAGE_TOKEN), sent as `Authorization: OAuth <key>`. */
    token: z.string().min(1, "set STATUSPAGE_TOKEN"),
    /** The page id (STATUSPAGE_PAGE_ID). */
    pageId: z.string().regex(/^[A-Za-z0-9]{1,32}$/, "a Statuspage page id (set STATUSPAGE_PAGE_ID)"),
    /** One request's time limit. */
    timeout: durationSchema.default(parseDuration("10s")!),
  })
  .strict();

/** The whole `plugins.status` section. */
export const statusConfigSchema = z
  .object({
    /** Where components and incidents live: the bot's own page (`embedded`) or Atlassian Statuspage. */
    provider: z.enum(["embedded", "statuspage"]).default("embedded"),
    /** Component key (what chat types) → how it is shown and where its incidents are posted. */
    components: z.record(key, componentSchema).default({}),
    /** Rooms where incident updates go when no component maps them elsewhere. */
    rooms,
    page: pageSchema.prefault({}),
    statuspage: statuspageSchema.optional(),
  })
  .strict()
  .superRefine((config, ctx) => {
    if (config.provider === "statuspage" && !config.statuspage)
      ctx.addIssue({
        code: "custom",
        path: ["statuspage"],
        message: "provider is statuspage: add a statuspage section",
      });
  });

export type StatusConfig = z.output<typeof statusConfigSchema>;
export type StatusConfigInput = z.input<typeof statusConfigSchema>;
export type StatuspageConfig = z.output<typeof statuspageSchema>;
