/**
 * Incoming deliveries → core. Channel messages and direct messages go to core as they are, with the bot's current
 * display name (core decides what is a command); a message that starts with a mention of the bot (or its
 * `app_mention`) and the slash command are addressed to it. The bot's own messages, edits, deletions and other bots (unless allowed) are never commands.
 * Each delivery is claimed in the ledger first (envelope, event, message, trigger), so a redelivered or doubled
 * one never runs twice.
 * @module
 */
import type { AdapterHost, IncomingMessage, Room } from "@switchboard/core";
import type { Identities } from "./identity.js";
import type { Interactions } from "./interactions.js";
import type { Ledger } from "./ledger.js";
import type { Outbound } from "./outbound.js";
import { type Delivery, obj, str } from "./payloads.js";
import { type ResponseUrls, trustedResponseUrl } from "./response-urls.js";
import type { SlackOptions } from "./slack-adapter.js";
import { afterLeadingMention, decodeSlackText, escapeMrkdwn } from "./slack-text.js";

/** Who the bot is, from `auth.test`. */
export interface BotSelf {
  userId: string;
  botId?: string | undefined;
  teamId: string;
  enterpriseId?: string | undefined;
  /** The bot's display name now (from `users.info`, then `user_change` events): it addresses the bot like its name. */
  name?: string | undefined;
}

/** Message subtypes that can carry a command (everything else — edits, deletions, joins, topics — never does). */
const commandSubtypes = new Set([undefined, "thread_broadcast", "file_share", "bot_message"]);

/** What {@link Inbound} works with. */
export interface InboundDeps {
  network: string;
  options: SlackOptions;
  host: AdapterHost;
  self: BotSelf;
  identities: Identities;
  ledger: Ledger;
  outbound: Outbound;
  responseUrls: ResponseUrls;
  interactions: Interactions;
}

/** Routes authenticated deliveries to core. */
export class Inbound {
  constructor(private readonly deps: InboundDeps) {}

  /** Handles one delivery (already acknowledged). Never throws; failures are logged. */
  async handle(delivery: Delivery): Promise<void> {
    const { logger } = this.deps.host;
    try {
      if (delivery.kind === "events_api") await this.#event(delivery);
      else if (delivery.kind === "slash_commands") await this.#slash(delivery);
      else await this.deps.interactions.handle(delivery);
    } catch (err) {
      logger.error({ err, kind: delivery.kind }, "could not handle a Slack delivery");
    }
  }

  async #event(delivery: Delivery): Promise<void> {
    const { body } = delivery;
    const event = obj(body.event);
    const eventId = str(body.event_id);
    if (!event || !this.deps.ledger.claim(...delivery.keys, eventId && `event:${eventId}`)) {
      this.deps.host.logger.debug({ eventId, retry: delivery.retry }, "repeated Slack delivery ignored");
      return;
    }
    const type = str(event.type);
    if (type === "message" || type === "app_mention") await this.#message(event, body, type);
    else if (type === "user_change") this.#userChanged(obj(event.user));
  }

  /** The bot renamed in Slack: its new display name addresses it from now on, the old one no longer does. */
  #userChanged(user: Record<string, unknown> | undefined): void {
    if (!user || str(user.id) !== this.deps.self.userId) return;
    const profile = obj(user.profile);
    const name = str(profile?.display_name) || str(profile?.real_name) || str(user.real_name) || str(user.name);
    if (!name || name === this.deps.self.name) return;
    this.deps.host.logger.info({ from: this.deps.self.name, to: name }, "the bot's name in Slack changed");
    this.deps.self.name = name;
  }

  async #message(event: Record<string, unknown>, body: Record<string, unknown>, type: string): Promise<void> {
    const { self, options, host } = this.deps;
    const subtype = str(event.subtype);
    if (type === "message" && (!commandSubtypes.has(subtype) || event.hidden === true)) return;
    const user = str(event.user);
    const botId = str(event.bot_id);
    if ((user && user === self.userId) || (botId && botId === self.botId)) return;
    if ((botId || subtype === "bot_message") && !this.#botAllowed(botId)) return;
    const channel = str(event.channel);
    const ts = str(event.ts);
    const senderId = user ?? botId;
    if (!channel || !ts || !senderId) return;
    const direct = str(event.channel_type) === "im" || channel.startsWith("D");
    if (direct ? !options.directMessages : !this.#channelAllowed(channel)) return;
    const raw = typeof event.text === "string" ? event.text : "";
    const rest = afterLeadingMention(raw, self.userId);
    // The same message can come as `message` and as `app_mention`: whichever comes first is the one.
    if (!this.deps.ledger.claim(`message:${channel}:${ts}`)) return;
    // In a channel shared with other organisations only the event's own user_team/team fields say whose the user
    // is; otherwise everyone in the channel belongs to the workspace (or Grid organisation) of the delivery.
    const ext = body.is_ext_shared_channel === true;
    const sender = await this.deps.identities.sender({
      userId: senderId,
      teamId: str(event.user_team) ?? str(event.team) ?? (ext ? undefined : str(body.team_id)),
      enterpriseId: ext ? undefined : str(body.enterprise_id),
    });
    const thread = str(event.thread_ts);
    const message: IncomingMessage = {
      id: ts,
      network: this.deps.network,
      room: { id: channel, direct },
      ...(thread ? { thread } : {}),
      sender,
      text: this.#decode(rest ?? raw),
      time: new Date(Number(ts) * 1000),
    };
    await host.receive(message, rest !== undefined ? { addressed: true } : self.name ? { nick: self.name } : {});
  }

  async #slash(delivery: Delivery): Promise<void> {
    const { body } = delivery;
    const { options, host, responseUrls, network } = this.deps;
    const trigger = str(body.trigger_id);
    if (!this.deps.ledger.claim(...delivery.keys, trigger && `trigger:${trigger}`)) return;
    if (str(body.command) !== options.slashCommand.name) {
      host.logger.warn({ command: body.command }, "unknown slash command ignored (see slashCommand in the config)");
      return;
    }
    const channel = str(body.channel_id);
    const user = str(body.user_id);
    const responseUrl = trustedResponseUrl(str(body.response_url), options.apiUrl);
    if (!channel || !user) return;
    const direct = channel.startsWith("D");
    const id = `slash:${trigger ?? `${channel}:${Date.now()}`}`;
    if (responseUrl) responseUrls.remember(id, responseUrl);
    if (!direct && !this.#channelAllowed(channel)) {
      if (responseUrl) await this.deps.outbound.ephemeralViaUrl(responseUrl, "I don't take commands in this channel.");
      return;
    }
    // A slash command only comes from a workspace where this installation is: its team is the user's. (Its
    // enterprise_id is the installation's organisation, which says nothing about the user: not used.)
    const sender = await this.deps.identities.sender({
      userId: user,
      teamId: str(body.team_id),
      name: str(body.user_name),
    });
    const text = this.#decode(typeof body.text === "string" ? body.text : "").trim() || "help";
    const room: Room = { id: channel, direct, ...(str(body.channel_name) ? { name: str(body.channel_name)! } : {}) };
    if (options.slashCommand.reply === "channel" && !direct) {
      // Slack shows nobody else the command itself: say in the room what was asked, so everyone can follow.
      await this.deps.outbound
        .notice(channel, `<@${user}> asked: \`${escapeMrkdwn(options.slashCommand.name)} ${escapeMrkdwn(text)}\``)
        .catch((err: unknown) => host.logger.warn({ err }, "could not echo the slash command"));
    }
    const message: IncomingMessage = { id, network, room, sender, text, time: new Date() };
    await host.receive(message, { addressed: true });
  }

  #decode(text: string): string {
    return decodeSlackText(text, (userId) =>
      userId === this.deps.self.userId ? this.deps.host.botName : this.deps.identities.cachedName(userId),
    );
  }

  #botAllowed(botId: string | undefined): boolean {
    const allow = this.deps.options.allowBots;
    return allow === true || (Array.isArray(allow) && botId !== undefined && allow.includes(botId));
  }

  #channelAllowed(channel: string): boolean {
    const { channels } = this.deps.options;
    return channels.length === 0 || channels.includes(channel);
  }
}
