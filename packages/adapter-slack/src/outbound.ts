/**
 * Everything the bot posts: messages (Block Kit + fallback text), replies in threads, image uploads (the external
 * upload flow), job progress edited in place, direct messages, ephemeral notes, and answers to slash commands
 * through their `response_url`. Every call goes through the per-channel queue, so a channel sees it in order.
 * Posts go through `poster`, a client that retries nothing, and {@link postOnce}: a post is sent again only when
 * Slack certainly did not take it (edits and reads use `client`, which retries).
 * @module
 */

import type { WebClient } from "@slack/web-api";
import {
  type ImageBlock,
  type Logger,
  type OutgoingMessage,
  type ReplyTarget,
  renderBlockLines,
  renderTextLines,
  type SentMessage,
} from "@switchboard/core";
import type { ApprovalMessage, ApprovalMessages } from "./approval-messages.js";
import { context, type SlackBlock } from "./block-kit.js";
import type { ChannelQueue } from "./channel-queue.js";
import { slackUserId } from "./identity.js";
import { postOnce, UncertainPostError } from "./post-once.js";
import { type RenderedMessage, renderParts, renderProgress } from "./render.js";
import { postToResponseUrl, type ResponseUrls } from "./response-urls.js";
import type { SlackOptions } from "./slack-adapter.js";
import { escapeMrkdwn } from "./slack-text.js";

interface Progress {
  channel: string;
  thread?: string | undefined;
  ts?: string | undefined;
  lines: string[];
  dropped: number;
  /** The queued write, while it has not started (new lines join it). */
  queued?: Promise<SentMessage | undefined> | undefined;
  /** Its first post may have arrived without a ts: no later batch posts another one. */
  uncertain?: boolean;
}

/** Slack errors meaning the bot may not post in the channel (not a member, or it can't see it). */
const cannotPost = new Set(["not_in_channel", "channel_not_found", "is_archived", "restricted_action"]);

function slackError(err: unknown): string | undefined {
  const data = (err as { data?: { error?: unknown } } | undefined)?.data;
  return typeof data?.error === "string" ? data.error : undefined;
}

/** Posts the bot's output to Slack. */
export class Outbound {
  readonly #progress = new Map<string, Progress>();
  readonly #directChannels = new Map<string, string>();

  constructor(
    /** Reads and edits (idempotent: retried by the library). */
    private readonly client: WebClient,
    /** Posts: retries nothing itself (see post-once.ts). */
    private readonly poster: WebClient,
    private readonly network: string,
    private readonly options: SlackOptions,
    private readonly queue: ChannelQueue,
    private readonly responseUrls: ResponseUrls,
    private readonly approvals: ApprovalMessages,
    private readonly logger: Logger,
  ) {}

  /** Sends output where `target` says; returns the first message posted with `chat.postMessage`, if any. */
  async send(target: ReplyTarget, message: OutgoingMessage): Promise<SentMessage | undefined> {
    if (message.kind === "progress" && message.jobId) return this.#sendProgress(target, message);
    if (message.jobId) this.#progress.delete(message.jobId);
    const channel = target.room.id;
    const thread = message.thread ?? target.thread;
    const viaResponseUrl =
      this.options.slashCommand.reply === "response_url" && this.responseUrls.has(target.inReplyTo);
    const mention =
      message.kind === "reply" && target.mention && !target.room.direct && !thread && !viaResponseUrl
        ? `<@${slackUserId(target.mention.id)}>`
        : undefined;
    let first: SentMessage | undefined;
    for (const part of renderParts(message, mention ? { mention } : {})) {
      if (part.kind === "image") {
        await this.#upload(channel, thread, part.image);
        continue;
      }
      const ts = await this.#deliver(channel, thread, part, target.inReplyTo, viaResponseUrl, message.jobId);
      const sent = ts ? this.#sent(channel, ts, thread) : undefined;
      first ??= sent;
      if (message.approvalRequest && message.jobId && part.blocks.some((b) => b.type === "actions")) {
        this.approvals.track(message.jobId, { channel, ts, blocks: part.blocks, text: part.text });
      }
    }
    return first;
  }

  /** Replaces a message the bot sent. Output too long for one message continues in new messages after it. */
  async edit(sent: SentMessage, message: OutgoingMessage): Promise<void> {
    const parts = renderParts(message);
    const only = parts.length === 1 && parts[0]!.kind === "message" ? parts[0] : undefined;
    // An approval request this adapter tracks: written through the tracker, with the lines its buttons added.
    const tracked = only && message.jobId && this.approvals.replaced(message.jobId, sent.id, only.blocks, only.text);
    if (tracked) return tracked;
    const firstIndex = parts.findIndex((p) => p.kind === "message");
    for (const [i, part] of parts.entries()) {
      if (part.kind === "image") await this.#upload(sent.room, sent.thread, part.image);
      else if (i === firstIndex) await this.#update(sent.room, sent.id, part.text, part.blocks);
      else await this.#deliver(sent.room, sent.thread, part, undefined, false);
    }
  }

  /** Opens (or reuses) the direct conversation with a user and sends there. */
  async sendDirect(userId: string, message: OutgoingMessage): Promise<SentMessage | undefined> {
    const user = slackUserId(userId);
    let channel = this.#directChannels.get(user);
    if (!channel) {
      const opened = await this.client.conversations.open({ users: user });
      channel = opened.channel?.id;
      if (!channel) throw new Error(`conversations.open gave no channel for ${user}`);
      this.#directChannels.set(user, channel);
    }
    return this.send({ network: this.network, room: { id: channel, direct: true } }, message);
  }

  /**
   * A note only `user` sees (a refused button click). Falls back on the click's response URL when Slack refused
   * the post (not when it may have arrived).
   */
  async ephemeral(channel: string, user: string, text: string, thread?: string, responseUrl?: string): Promise<void> {
    try {
      await this.queue.run(channel, () =>
        this.#post("chat.postEphemeral", { channel, thread, user }, () =>
          this.poster.chat.postEphemeral({
            channel,
            user,
            text: escapeMrkdwn(text),
            ...(thread ? { thread_ts: thread } : {}),
          }),
        ),
      );
    } catch (err) {
      if (!responseUrl || err instanceof UncertainPostError) throw err;
      this.logger.debug({ err: slackError(err) ?? String(err) }, "postEphemeral failed; using the response URL");
      await postToResponseUrl(responseUrl, {
        response_type: "ephemeral",
        replace_original: false,
        text: escapeMrkdwn(text),
      });
    }
  }

  /** A short note in a channel (mrkdwn, already escaped), posted by the bot. */
  async notice(channel: string, mrkdwn: string, thread?: string): Promise<void> {
    await this.#deliver(
      channel,
      thread,
      { kind: "message", text: mrkdwn, blocks: [context(mrkdwn)] },
      undefined,
      false,
    );
  }

  /** An ephemeral answer through a response URL (for a slash command in a channel the bot does not serve). */
  async ephemeralViaUrl(responseUrl: string, text: string): Promise<void> {
    await postToResponseUrl(responseUrl, { response_type: "ephemeral", text: escapeMrkdwn(text) });
  }

  /** Writes an approval request back (buttons gone, decision lines added). */
  async writeApproval(message: ApprovalMessage): Promise<void> {
    const url = message.responseUrl;
    const viaUrl = () =>
      this.queue.run(message.channel, () =>
        postToResponseUrl(url!, { replace_original: true, text: message.text, blocks: message.blocks }),
      );
    if (!message.ts) {
      if (url) await viaUrl();
      return;
    }
    try {
      await this.#update(message.channel, message.ts, message.text, message.blocks);
    } catch (err) {
      // A request posted through a slash command's response URL may not be editable by the bot.
      if (!url) throw err;
      await viaUrl();
    }
  }

  /** Resolves when nothing is waiting to be sent. */
  idle(): Promise<void> {
    return this.queue.idle();
  }

  /** Runs a post on `poster`: sent again only after a refusal (see post-once.ts). */
  #post<T>(method: string, context: Record<string, unknown>, call: () => Promise<T>): Promise<T> {
    const where = Object.fromEntries(Object.entries(context).filter(([, v]) => v !== undefined));
    return postOnce(call, {
      method,
      retries: this.options.retries,
      retryDelayMs: this.options.retryDelay,
      logger: this.logger,
      context: { network: this.network, ...where },
    });
  }

  #sent(channel: string, ts: string, thread: string | undefined): SentMessage {
    return { network: this.network, room: channel, id: ts, ...(thread ? { thread } : {}) };
  }

  /**
   * Posts one message: through the slash command's response URL when that is the configured way (while it has
   * uses left), otherwise with `chat.postMessage`; a bot that is not in the channel falls back on the response URL.
   * Returns the ts when Slack gave one.
   */
  async #deliver(
    channel: string,
    thread: string | undefined,
    part: RenderedMessage,
    inReplyTo: string | undefined,
    preferResponseUrl: boolean,
    jobId?: string,
  ): Promise<string | undefined> {
    const viaUrl = async (url: string) => {
      await this.queue.run(channel, () =>
        postToResponseUrl(url, {
          response_type: "in_channel",
          replace_original: false,
          text: part.text,
          blocks: part.blocks,
          ...(thread ? { thread_ts: thread } : {}),
        }),
      );
      return undefined;
    };
    const url = preferResponseUrl ? this.responseUrls.take(inReplyTo) : undefined;
    if (url) return viaUrl(url);
    try {
      const result = await this.queue.run(channel, () =>
        this.#post("chat.postMessage", { channel, thread, jobId }, () =>
          this.poster.chat.postMessage({
            channel,
            text: part.text,
            blocks: part.blocks as never,
            unfurl_links: false,
            unfurl_media: false,
            ...(thread ? { thread_ts: thread } : {}),
          }),
        ),
      );
      return result.ts;
    } catch (err) {
      const fallback = cannotPost.has(slackError(err) ?? "") ? this.responseUrls.take(inReplyTo) : undefined;
      if (!fallback) throw err;
      this.logger.warn({ channel }, "the bot is not in this channel; answering through the slash command instead");
      return viaUrl(fallback);
    }
  }

  async #update(channel: string, ts: string, text: string, blocks: SlackBlock[]): Promise<void> {
    await this.queue.run(channel, () => this.client.chat.update({ channel, ts, text, blocks: blocks as never }));
  }

  /**
   * Uploads a PNG into the channel (or thread): `files.getUploadURLExternal`, the upload, `files.completeUploadExternal`.
   * The whole flow is a post: sent again only when Slack refused it.
   */
  async #upload(channel: string, thread: string | undefined, image: ImageBlock): Promise<void> {
    try {
      await this.queue.run(channel, () =>
        this.#post("filesUploadV2", { channel, thread }, () =>
          this.poster.filesUploadV2({
            channel_id: channel,
            file: Buffer.from(image.png),
            filename: "image.png",
            title: image.alt,
            alt_text: image.alt,
            ...(thread ? { thread_ts: thread } : {}),
          } as never),
        ),
      );
    } catch (err) {
      // The picture may be in the channel (logged with its reference): its text is not posted after it.
      if (err instanceof UncertainPostError) return;
      // Without the picture, say what it showed (its text fallback and link): nothing is lost silently.
      this.logger.warn({ err: slackError(err) ?? String(err), channel }, "image upload failed; sending its text");
      const text = renderBlockLines(image).join("\n");
      await this.#deliver(channel, thread, { kind: "message", text: escapeMrkdwn(text), blocks: [] }, undefined, false);
    }
  }

  /** The first progress batch of a job is posted; later ones edit it (`chat.update`) with the newest lines. */
  #sendProgress(target: ReplyTarget, message: OutgoingMessage): Promise<SentMessage | undefined> {
    const jobId = message.jobId!;
    let state = this.#progress.get(jobId);
    if (!state) {
      state = { channel: target.room.id, thread: message.thread ?? target.thread, lines: [], dropped: 0 };
      this.#progress.set(jobId, state);
      if (this.#progress.size > 500) this.#progress.delete(this.#progress.keys().next().value as string);
    }
    state.lines.push(...renderTextLines(message.blocks));
    const max = this.options.progressLines;
    if (state.lines.length > max) {
      state.dropped += state.lines.length - max;
      state.lines = state.lines.slice(-max);
    }
    if (state.queued) return state.queued;
    if (state.uncertain) return Promise.resolve(undefined);
    const current = state;
    current.queued = this.queue.run(current.channel, async () => {
      current.queued = undefined;
      const rendered = renderProgress(current.lines, current.dropped);
      if (current.ts) {
        await this.client.chat.update({
          channel: current.channel,
          ts: current.ts,
          text: rendered.text,
          blocks: rendered.blocks as never,
        });
        return undefined;
      }
      const result = await this.#post(
        "chat.postMessage",
        { channel: current.channel, thread: current.thread, jobId },
        () =>
          this.poster.chat.postMessage({
            channel: current.channel,
            text: rendered.text,
            blocks: rendered.blocks as never,
            ...(current.thread ? { thread_ts: current.thread } : {}),
          }),
      ).catch((err: unknown) => {
        if (err instanceof UncertainPostError) current.uncertain = true;
        throw err;
      });
      current.ts = result.ts;
      return result.ts ? this.#sent(current.channel, result.ts, current.thread) : undefined;
    });
    return current.queued;
  }
}
