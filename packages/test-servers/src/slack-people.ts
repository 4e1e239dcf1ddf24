/**
 * People using the fake Slack: what Slack would deliver when they post, mention the bot, run the slash command or
 * click a button — as Socket Mode envelopes, or as signed HTTP requests to the Events API route.
 * @module
 */
import { createHmac } from "node:crypto";
import { slackBot as bot, type FakeSlack, type FakeUser, type PostedMessage, slackTeam as team } from "./slack.js";
import type { Envelope } from "./slack-socket-mode.js";

/** How deliveries reach the bot. */
export type SlackTransport =
  | { kind: "socket" }
  | { kind: "http"; url: string; signingSecret: string; skewSeconds?: number };

/** What one delivery was, so a test can repeat it. */
export interface Delivered {
  kind: "events_api" | "slash_commands" | "interactive";
  payload: Record<string, unknown>;
  envelope?: Envelope;
  /** The HTTP status of the request (Events API mode). */
  status?: number;
}

let counter = 0;

/** Slack's request signature: `v0=` + HMAC-SHA256 of `v0:<timestamp>:<body>` with the signing secret. */
export function slackSignature(secret: string, timestamp: string, body: string): string {
  return `v0=${createHmac("sha256", secret).update(`v0:${timestamp}:${body}`).digest("hex")}`;
}

/** Posts what people do to the bot. */
export class SlackPeople {
  constructor(
    readonly slack: FakeSlack,
    public transport: SlackTransport = { kind: "socket" },
  ) {}

  /** An `event_callback` around `event`, as Slack sends it. */
  eventCallback(event: Record<string, unknown>, options: { ext?: boolean } = {}): Record<string, unknown> {
    counter += 1;
    return {
      token: "unused-verification-token",
      team_id: team.id,
      api_app_id: bot.appId,
      event,
      type: "event_callback",
      event_id: `Ev${String(counter).padStart(8, "0")}`,
      event_time: Math.floor(Date.now() / 1000),
      authorizations: [{ team_id: team.id, user_id: bot.userId, is_bot: true }],
      is_ext_shared_channel: options.ext === true,
    };
  }

  /** A message event in a channel (or direct conversation, for `D…` channels). */
  messageEvent(
    user: FakeUser,
    channel: string,
    text: string,
    extra: Record<string, unknown> = {},
  ): Record<string, unknown> {
    const direct = channel.startsWith("D");
    return {
      type: "message",
      channel,
      user: user.id,
      text,
      ts: this.slack.nextTs(),
      team: user.team,
      ...(user.team !== team.id ? { user_team: user.team, source_team: user.team } : {}),
      channel_type: direct ? "im" : "channel",
      ...extra,
    };
  }

  /** `user` posts `text` in `channel`. */
  async say(user: FakeUser, channel: string, text: string, extra: Record<string, unknown> = {}): Promise<Delivered> {
    const event = this.messageEvent(user, channel, text, extra);
    return this.deliver("events_api", this.eventCallback(event, { ext: user.team !== team.id }));
  }

  /** `user` mentions the bot: Slack sends the message and an `app_mention` for it. */
  async mention(user: FakeUser, channel: string, text: string, extra: Record<string, unknown> = {}) {
    const message = this.messageEvent(user, channel, text, extra);
    // An app_mention carries no channel_type.
    const mention: Record<string, unknown> = { ...message, type: "app_mention" };
    delete mention.channel_type;
    const ext = user.team !== team.id;
    const first = await this.deliver("events_api", this.eventCallback(message, { ext }));
    const second = await this.deliver("events_api", this.eventCallback(mention, { ext }));
    return [first, second];
  }

  /** An admin renames the bot (its display name): Slack sends a `user_change` event for the bot user. */
  async renameBot(name: string): Promise<Delivered> {
    this.slack.botName = name;
    return this.deliver("events_api", this.eventCallback({ type: "user_change", user: this.slack.botUser() }));
  }

  /** `user` runs the slash command in `channel`. The response URL is `<fake>/respond/<id>`. */
  async slash(user: FakeUser, channel: string, text: string, command = "/switchboard") {
    counter += 1;
    const responseId = `r${counter}`;
    const payload = {
      token: "unused-verification-token",
      team_id: user.team,
      team_domain: team.domain,
      channel_id: channel,
      channel_name: channel.startsWith("D") ? "directmessage" : "ops",
      user_id: user.id,
      user_name: user.name,
      command,
      text,
      api_app_id: bot.appId,
      is_enterprise_install: "false",
      response_url: `${this.slack.url}/respond/${responseId}`,
      trigger_id: `trig-${counter}`,
    };
    return { responseId, delivered: await this.deliver("slash_commands", payload) };
  }

  /** `user` clicks the button `actionId` on a message the bot posted. */
  async click(user: FakeUser, message: PostedMessage, actionId: string): Promise<Delivered> {
    const element = message.blocks
      .flatMap((b) => (Array.isArray(b.elements) ? (b.elements as Array<Record<string, unknown>>) : []))
      .find((e) => e.action_id === actionId);
    if (!element) throw new Error(`no button ${actionId} on message ${message.ts}`);
    counter += 1;
    const payload = {
      type: "block_actions",
      user: { id: user.id, username: user.name, name: user.name, team_id: user.team },
      api_app_id: bot.appId,
      token: "unused-verification-token",
      container: {
        type: "message",
        message_ts: message.ts,
        channel_id: message.channel,
        is_ephemeral: false,
        ...(message.thread_ts ? { thread_ts: message.thread_ts } : {}),
      },
      trigger_id: `trig-${counter}`,
      team: { id: team.id, domain: team.domain },
      channel: { id: message.channel, name: "ops" },
      message: {
        type: "message",
        user: bot.userId,
        ts: message.ts,
        text: message.text,
        blocks: message.blocks,
        ...(message.thread_ts ? { thread_ts: message.thread_ts } : {}),
      },
      response_url: `${this.slack.url}/respond/click${counter}`,
      actions: [
        {
          action_id: element.action_id,
          block_id: "b",
          text: element.text,
          value: element.value,
          type: "button",
          action_ts: `${Date.now() / 1000}`,
        },
      ],
    };
    return this.deliver("interactive", payload);
  }

  /** Sends a delivery over the current transport. */
  async deliver(kind: Delivered["kind"], payload: Record<string, unknown>): Promise<Delivered> {
    if (this.transport.kind === "socket") return { kind, payload, envelope: this.slack.socket.deliver(kind, payload) };
    return { kind, payload, status: await this.post(kind, payload) };
  }

  /** POSTs a delivery to the Events API route, signed as Slack signs it; returns the HTTP status. */
  async post(kind: Delivered["kind"], payload: Record<string, unknown>, headers: Record<string, string> = {}) {
    if (this.transport.kind !== "http") throw new Error("not in Events API mode");
    const { url, signingSecret, skewSeconds = 0 } = this.transport;
    const body =
      kind === "events_api"
        ? JSON.stringify(payload)
        : kind === "interactive"
          ? new URLSearchParams({ payload: JSON.stringify(payload) }).toString()
          : new URLSearchParams(payload as Record<string, string>).toString();
    const timestamp = String(Math.floor(Date.now() / 1000) + skewSeconds);
    const response = await fetch(url, {
      method: "POST",
      headers: {
        "content-type": kind === "events_api" ? "application/json" : "application/x-www-form-urlencoded",
        "x-slack-request-timestamp": timestamp,
        "x-slack-signature": slackSignature(signingSecret, timestamp, body),
        ...headers,
      },
      body,
    });
    await response.text();
    return response.status;
  }
}
