/**
 * Options of the Slack adapter: the `type: slack` config schema (validated without loading any Slack library),
 * the programmatic options of {@link SlackAdapter}, and their defaults.
 * @module
 */
import { durationSchema } from "@switchboard/core";
import { z } from "zod";

const channelId = z.string().regex(/^[CGD][A-Z0-9]{2,}$/, "a channel id like C0123ABCD (not a #name)");
const teamId = z.string().regex(/^[TE][A-Z0-9]{2,}$/, "a team or enterprise id like T0123ABCD or E0123ABCD");
const botId = z.string().regex(/^B[A-Z0-9]{2,}$/, "a bot id like B0123ABCD");
const qualifiedUser = z
  .string()
  .regex(/^[TE][A-Z0-9]{2,}:[UWB][A-Z0-9]{2,}$/, "a user of another organisation: TEAMID:USERID, e.g. T0999:U0123");

/** One `adapters:` entry of `type: slack`. Defaults are filled in by the schema. */
export const slackConfigSchema = z
  .object({
    type: z.literal("slack"),
    /** Network name (default `slack`); principals' `identities` use it. */
    name: z.string().min(1).optional(),
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
    apiUrl: z.url().default("https://slack.com/api/"),
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
    /** Retries of a failed Web API call (429s wait for Retry-After first). */
    retries: z.number().int().min(0).max(20).default(5),
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
  .superRefine((entry, ctx) => {
    if (entry.mode === "socket" && !entry.appToken)
      ctx.addIssue({ code: "custom", path: ["appToken"], message: "Socket Mode needs appToken (xapp-…)" });
    if (entry.mode === "events" && !entry.signingSecret)
      ctx.addIssue({ code: "custom", path: ["signingSecret"], message: "Events API mode needs signingSecret" });
  });

/** A `type: slack` entry, defaults filled in. */
export type SlackAdapterConfig = z.output<typeof slackConfigSchema>;

/** Options for {@link SlackAdapter}. Every key but `botToken` has a default; see the package README. */
export interface SlackAdapterOptions {
  /** Network name. Default `"slack"`. */
  network?: string;
  /** Default `"socket"`. */
  mode?: "socket" | "events";
  botToken: string;
  /** Socket Mode only. */
  appToken?: string;
  /** Events API mode only. */
  signingSecret?: string;
  /** Default `https://slack.com/api/`. */
  apiUrl?: string;
  /** Default `/slack/events`. */
  eventsPath?: string;
  /** Channel ids where commands are taken. Default: every channel the bot is in. */
  channels?: string[];
  /** Default true. */
  directMessages?: boolean;
  /** Default false. */
  allowBots?: boolean | string[];
  /** Default `/switchboard`. */
  slashCommand?: string;
  /** Default `response_url`. */
  slashReply?: "response_url" | "channel";
  trustedTeams?: string[];
  trustedUsers?: string[];
  /** Default 1000. */
  sendIntervalMs?: number;
  /** Default 4. */
  sendBurst?: number;
  /** Default 5. */
  retries?: number;
  /** Shortest wait before a retry (after Retry-After, for 429s). Default 1000. */
  retryMinDelayMs?: number;
  /** Default 40. */
  progressLines?: number;
  /** Default 5000. */
  pingTimeoutMs?: number;
  /** Default 1000. */
  reconnectInitialDelayMs?: number;
  /** Default 60000. */
  reconnectMaxDelayMs?: number;
  /** How long a user's display name is cached. Default 10 minutes. */
  userCacheMs?: number;
}

/** {@link SlackAdapterOptions} with every default filled in. */
export type ResolvedSlackOptions = Required<Omit<SlackAdapterOptions, "appToken" | "signingSecret">> &
  Pick<SlackAdapterOptions, "appToken" | "signingSecret">;

/** Fills in the defaults and checks that the mode has its credential. */
export function resolveOptions(options: SlackAdapterOptions): ResolvedSlackOptions {
  const mode = options.mode ?? "socket";
  if (mode === "socket" && !options.appToken) throw new Error("Slack Socket Mode needs appToken (xapp-…)");
  if (mode === "events" && !options.signingSecret) throw new Error("the Slack Events API mode needs signingSecret");
  const apiUrl = options.apiUrl ?? "https://slack.com/api/";
  return {
    ...options,
    network: options.network ?? "slack",
    mode,
    apiUrl: apiUrl.endsWith("/") ? apiUrl : `${apiUrl}/`,
    eventsPath: options.eventsPath ?? "/slack/events",
    channels: options.channels ?? [],
    directMessages: options.directMessages ?? true,
    allowBots: options.allowBots ?? false,
    slashCommand: options.slashCommand ?? "/switchboard",
    slashReply: options.slashReply ?? "response_url",
    trustedTeams: options.trustedTeams ?? [],
    trustedUsers: options.trustedUsers ?? [],
    sendIntervalMs: options.sendIntervalMs ?? 1000,
    sendBurst: options.sendBurst ?? 4,
    retries: options.retries ?? 5,
    retryMinDelayMs: options.retryMinDelayMs ?? 1000,
    progressLines: options.progressLines ?? 40,
    pingTimeoutMs: options.pingTimeoutMs ?? 5000,
    reconnectInitialDelayMs: options.reconnectInitialDelayMs ?? 1000,
    reconnectMaxDelayMs: options.reconnectMaxDelayMs ?? 60_000,
    userCacheMs: options.userCacheMs ?? 10 * 60_000,
  };
}

/** The adapter options a config entry stands for. */
export function optionsFromConfig(config: SlackAdapterConfig): SlackAdapterOptions {
  return {
    network: config.name ?? "slack",
    mode: config.mode,
    botToken: config.botToken,
    ...(config.appToken ? { appToken: config.appToken } : {}),
    ...(config.signingSecret ? { signingSecret: config.signingSecret } : {}),
    apiUrl: config.apiUrl,
    eventsPath: config.eventsPath,
    channels: config.channels,
    directMessages: config.directMessages,
    allowBots: config.allowBots,
    slashCommand: config.slashCommand.name,
    slashReply: config.slashCommand.reply,
    trustedTeams: config.trustedTeams,
    trustedUsers: config.trustedUsers,
    sendIntervalMs: config.sendInterval,
    sendBurst: config.sendBurst,
    retries: config.retries,
    progressLines: config.progressLines,
    pingTimeoutMs: config.pingTimeout,
    reconnectInitialDelayMs: config.reconnect.initialDelay,
    reconnectMaxDelayMs: config.reconnect.maxDelay,
  };
}
