/**
 * The light entry of the Slack adapter (`@switchboard/adapter-slack/type`): the one description of its options (a zod
 * schema with the defaults and a TSDoc line per key), which validates the app's `type: slack` entries and
 * `new SlackAdapter(options)` alike (the options are an entry without its `type`), and the factory. Loading it (as `switchboard config check` does) loads no Slack
 * library; creating an adapter does.
 * @module
 */
import { type Adapter, type AdapterType, durationSchema } from "@switchboard/core";
import { z } from "zod";

const channelId = z.string().regex(/^[CGD][A-Z0-9]{2,}$/, "a channel id like C0123ABCD (not a #name)");
const teamId = z.string().regex(/^[TE][A-Z0-9]{2,}$/, "a team or enterprise id like T0123ABCD or E0123ABCD");
const botId = z.string().regex(/^B[A-Z0-9]{2,}$/, "a bot id like B0123ABCD");
const qualifiedUser = z
  .string()
  .regex(/^[TE][A-Z0-9]{2,}:[UWB][A-Z0-9]{2,}$/, "a user of another organisation: TEAMID:USERID, e.g. T0999:U0123");

/** Each mode needs its credential: Socket Mode the app token, the Events API the signing secret. */
function modeHasCredential(
  options: { mode: string; appToken?: string | undefined; signingSecret?: string | undefined },
  ctx: z.RefinementCtx,
): void {
  if (options.mode === "socket" && !options.appToken)
    ctx.addIssue({ code: "custom", path: ["appToken"], message: "Socket Mode needs appToken (xapp-…)" });
  if (options.mode === "events" && !options.signingSecret)
    ctx.addIssue({ code: "custom", path: ["signingSecret"], message: "Events API mode needs signingSecret" });
}

/** A `type: slack` entry: every option of the Slack adapter. */
const slackEntrySchema = z
  .object({
    type: z.literal("slack"),
    /** Network name; principals' `identities` and policy rules use it. */
    name: z.string().min(1).default("slack"),
    /** `socket` (Socket Mode: no public URL, needs `appToken`) or `events` (Events API over the bot's HTTP endpoint, needs `signingSecret`). */
    mode: z.enum(["socket", "events"]).default("socket"),
    /** The bot token (`xoxb-…`, OAuth & Permissions page); use `${SLACK_BOT_TOKEN}`. */
    botToken: z.string().regex(/^xoxb-/, "a bot token starting with xoxb-"),
    /** The app-level token with `connections:write` (`xapp-…`, Basic Information page); Socket Mode only. */
    appToken: z
      .string()
      .regex(/^xapp-/, "an app-level token starting with xapp-")
      .optional(),
    /** The signing secret (Basic Information page); Events API mode only. */
    signingSecret: z.string().min(1).optional(),
    /** Base URL of the Web API; GovSlack and test servers set their own. Socket Mode URLs come from `apps.connections.open` on it. */
    apiUrl: z
      .url()
      .transform((url) => (url.endsWith("/") ? url : `${url}/`))
      .default("https://slack.com/api/"),
    /** Path of the Events API route on the bot's HTTP endpoint (events, slash commands and button clicks). */
    eventsPath: z
      .string()
      .regex(/^\/\S*$/, "an absolute path like /slack/events")
      .default("/slack/events"),
    /** Channel ids where commands are taken; empty means every channel the bot is a member of. */
    channels: z.array(channelId).default([]),
    /** Whether direct messages to the bot are commands. */
    directMessages: z.boolean().default(true),
    /** Whether other bots' messages can be commands: `false`, `true`, or a list of bot ids. */
    allowBots: z.union([z.boolean(), z.array(botId)]).default(false),
    /** The slash command and where its answers go. */
    slashCommand: z
      .object({
        /** The command as created in the app (`/switchboard`). */
        name: z
          .string()
          .regex(/^\/[a-z0-9_-]+$/, "a slash command like /switchboard")
          .default("/switchboard"),
        /** `response_url` (works in channels the bot is not in) or `channel` (posted by the bot, editable). */
        reply: z.enum(["response_url", "channel"]).default("response_url"),
      })
      .strict()
      .default({ name: "/switchboard", reply: "response_url" }),
    /** Teams (or Grid enterprises) of shared channels whose users are verified (ids `TEAM:USER`). */
    trustedTeams: z.array(teamId).default([]),
    /** Single users of other organisations who are verified, as `TEAM:USER`. */
    trustedUsers: z.array(qualifiedUser).default([]),
    /** One message per channel per this long after a burst (Slack allows about one per second). */
    sendInterval: durationSchema.default(1000),
    /** Messages a channel may get at once before `sendInterval` applies. */
    sendBurst: z.number().int().min(1).max(20).default(4),
    /**
     * Retries of a failed Web API call (429s wait for Retry-After first). Posts (messages, ephemeral notes, file
     * shares) are sent again only when Slack certainly did not take them (a 429, a connection never made), never
     * after a timeout or a connection lost mid-call: they may have been posted (see the README).
     */
    retries: z.number().int().min(0).max(20).default(5),
    /** The shortest wait before such a retry (after Retry-After, for 429s); retries back off from it. */
    retryDelay: durationSchema.default(1000),
    /** How long one Web API call may take; a post that takes longer is given up and not sent again (it may have arrived). */
    requestTimeout: durationSchema.default(30_000),
    /** Lines a progress message keeps when it is edited. */
    progressLines: z.number().int().min(5).max(500).default(40),
    /** How long to wait for a pong on the Socket Mode connection before reconnecting. */
    pingTimeout: durationSchema.default(5000),
    /** Backoff of Socket Mode reconnects after a failed attempt. */
    reconnect: z
      .object({ initialDelay: durationSchema.default(1000), maxDelay: durationSchema.default(60_000) })
      .strict()
      .default({ initialDelay: 1000, maxDelay: 60_000 }),
  })
  .strict()
  .superRefine(modeHasCredential);

/** A `type: slack` entry with every default filled in: `type` aside, the options the adapter runs with. */
export type SlackAdapterConfig = z.output<typeof slackEntrySchema>;

/** `adapters: [{ type: slack, … }]`: config schema and a factory that loads the Slack libraries only when used. */
export const slackAdapterType = {
  type: "slack",
  description: "a Slack workspace (Socket Mode or the Events API; Block Kit, buttons, threads, edits, file uploads)",
  schema: slackEntrySchema,
  async create({ type: _type, ...options }, context): Promise<Adapter> {
    const { SlackAdapter, loadSlack } = await import("./slack-adapter.js");
    await loadSlack();
    context.logger.debug({ network: options.name, mode: options.mode }, "creating the Slack adapter");
    return new SlackAdapter(options);
  },
} satisfies AdapterType<SlackAdapterConfig>;
