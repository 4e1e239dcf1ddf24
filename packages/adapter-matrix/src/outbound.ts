/**
 * Sending: output blocks as `m.notice` (HTML + plain body) and `m.image` events, replies and threads, progress
 * edited in place, and the bookkeeping of approval requests (for reaction approvals).
 * @module
 */
import {
  type Action,
  type Block,
  type IncomingMessage,
  type Logger,
  type OutgoingMessage,
  out,
  type ReplyTarget,
  renderTextLines,
  replyTargetFor,
  type StatusLevel,
} from "@switchboard/core";
import type { MatrixClient } from "matrix-js-sdk";
import { type Content, editContent, noticeContent, relationFor, withMentions } from "./content.js";
import type { MatrixOptions } from "./matrix-adapter.js";
import { encryptAttachment, pngSize } from "./media.js";
import { actionReaction, actionsOf, renderMessage } from "./render.js";

/** Whether two reaction keys are the same emoji (clients differ in the variation selector U+FE0F). */
export const sameReaction = (a: string | undefined, b: string) =>
  a !== undefined && a.replace(/\uFE0F/g, "") === b.replace(/\uFE0F/g, "");

interface Progress {
  /** The event being edited (a promise, so concurrent batches wait for the first send). */
  eventId: Promise<string>;
  lines: string[];
  dropped: number;
}

/** At most this many approval requests and progress messages are remembered. */
const remembered = 500;

function remember<K, V>(map: Map<K, V>, key: K, value: V): void {
  map.set(key, value);
  if (map.size > remembered) map.delete(map.keys().next().value as K);
}

/** Sends the bot's output to Matrix rooms. */
export class MatrixOutbound {
  readonly #progress = new Map<string, Progress>();
  /** Approval request event id → job id. */
  readonly #approvals = new Map<string, string>();
  /** Event id of a message with actions → its room and actions (reaction `1️⃣` runs the first). */
  readonly #actions = new Map<string, { room: string; actions: Action[] }>();
  readonly #pending = new Set<Promise<unknown>>();
  /** Per job: sends of one job stay in order. */
  readonly #chains = new Map<string, Promise<unknown>>();

  constructor(
    private readonly client: MatrixClient,
    private readonly options: MatrixOptions,
    readonly logger: Logger,
  ) {}

  /** The job an approval request event asks about. */
  approvalJob(eventId: string): string | undefined {
    return this.#approvals.get(eventId);
  }

  /** The action that reaction `key` to the bot's event `eventId` in `room` runs, if that message offered one. */
  action(eventId: string, room: string, key: string): Action | undefined {
    const sent = this.#actions.get(eventId);
    if (!sent || sent.room !== room) return undefined;
    const index = sent.actions.findIndex((_, i) => sameReaction(actionReaction(i), key));
    return index < 0 ? undefined : sent.actions[index];
  }

  /** Resolves when nothing is being sent. */
  async idle(): Promise<void> {
    while (this.#pending.size) await Promise.allSettled([...this.#pending]);
  }

  /** Sends a message; resolves to the id of its first event (the one that edits and reactions refer to). */
  send(target: ReplyTarget, message: OutgoingMessage): Promise<string | undefined> {
    return this.#enqueue(message.jobId ?? "", () => this.#send(target, message));
  }

  /**
   * Replaces the bot's event `eventId` in `room` with `message` (`m.replace`; images are left out, an edit is one
   * text event). The actions it offers are the new message's: reactions run only what is shown now.
   */
  edit(eventId: string, room: string, message: OutgoingMessage): Promise<void> {
    return this.#enqueue(message.jobId ?? "", async () => {
      const blocks = message.blocks.filter((b) => b.type !== "image");
      await this.#event(room, editContent(eventId, noticeContent(renderMessage(blocks))));
      const actions = actionsOf(blocks);
      if (actions.length) remember(this.#actions, eventId, { room, actions });
      else this.#actions.delete(eventId);
    });
  }

  /** Runs `task` after the earlier sends of the same key (the sends of one job stay in order). */
  #enqueue<T>(key: string, task: () => Promise<T>): Promise<T> {
    const previous = this.#chains.get(key) ?? Promise.resolve();
    const next = previous.catch(() => {}).then(task);
    this.#chains.set(key, next);
    this.#pending.add(next);
    void next
      .catch(() => {})
      .finally(() => {
        this.#pending.delete(next);
        if (this.#chains.get(key) === next) this.#chains.delete(key);
      });
    return next;
  }

  /** One status line in answer to `message`. */
  async say(message: IncomingMessage, level: StatusLevel, text: string): Promise<void> {
    await this.send(replyTargetFor(message), { blocks: [out.status(level, text)], kind: "notice" });
  }

  async #send(target: ReplyTarget, message: OutgoingMessage): Promise<string | undefined> {
    if (message.kind === "progress" && message.jobId) {
      await this.#sendProgress(target, message.jobId, message.blocks);
      return undefined;
    }
    let firstId: string | undefined;
    if (message.jobId) this.#progress.delete(message.jobId);
    let first = true;
    let run: Block[] = [];
    const flush = async () => {
      if (!run.length) return;
      const id = await this.#event(target.room.id, {
        ...noticeContent(renderMessage(run)),
        ...relationFor(target, { asReply: first }),
        ...this.#mentions(target, first),
      });
      firstId ??= id;
      if (message.approvalRequest && message.jobId) remember(this.#approvals, id, message.jobId);
      const actions = actionsOf(run);
      if (actions.length) remember(this.#actions, id, { room: target.room.id, actions });
      first = false;
      run = [];
    };
    for (const block of message.blocks) {
      if (block.type !== "image") {
        run.push(block);
        continue;
      }
      await flush();
      const imageId = await this.#image(target, block.png, block.alt, first);
      firstId ??= imageId;
      first = false;
    }
    await flush();
    return firstId;
  }

  #mentions(target: ReplyTarget, first: boolean): Content {
    return first && target.mention && !target.room.direct ? { "m.mentions": { user_ids: [target.mention.id] } } : {};
  }

  /** Sends one event; every event says whom it mentions ({@link withMentions}: nobody unless named). */
  async #event(roomId: string, content: Content): Promise<string> {
    const res = await this.client.sendEvent(roomId, null, "m.room.message" as never, withMentions(content) as never);
    return res.event_id;
  }

  /** Uploads a PNG (encrypted in encrypted rooms) and sends it as `m.image`. */
  async #image(target: ReplyTarget, png: Uint8Array, alt: string, first: boolean): Promise<string> {
    const roomId = target.room.id;
    const encrypted = (await this.client.getCrypto()?.isEncryptionEnabledInRoom(roomId)) ?? false;
    const info = { mimetype: "image/png", size: png.byteLength, ...pngSize(png) };
    let media: Content;
    if (encrypted) {
      const { ciphertext, info: file } = encryptAttachment(png);
      const upload = await this.client.uploadContent(ciphertext, {
        type: "application/octet-stream",
        includeFilename: false,
      });
      media = { file: { ...file, url: upload.content_uri, mimetype: "image/png" } };
    } else {
      const upload = await this.client.uploadContent(Buffer.from(png), { type: "image/png", name: "image.png" });
      media = { url: upload.content_uri };
    }
    return this.#event(roomId, {
      msgtype: "m.image",
      body: alt,
      info,
      ...media,
      ...relationFor(target, { asReply: first }),
    });
  }

  /** The first progress batch of a job is sent; later ones edit that message (`m.replace`) with every line so far. */
  async #sendProgress(target: ReplyTarget, jobId: string, blocks: Block[]): Promise<void> {
    const lines = renderTextLines(blocks);
    const existing = this.#progress.get(jobId);
    if (!existing) {
      const content = this.#progressContent(target, lines, 0);
      const state: Progress = { eventId: this.#event(target.room.id, content), lines, dropped: 0 };
      remember(this.#progress, jobId, state);
      await state.eventId;
      return;
    }
    existing.lines.push(...lines);
    const max = this.options.progressLines;
    if (existing.lines.length > max) {
      existing.dropped += existing.lines.length - max;
      existing.lines = existing.lines.slice(-max);
    }
    const eventId = await existing.eventId;
    const content = this.#progressContent(target, existing.lines, existing.dropped);
    await this.#event(target.room.id, editContent(eventId, content));
  }

  #progressContent(target: ReplyTarget, lines: string[], dropped: number): Content {
    const shown = dropped ? [`… ${dropped} earlier line${dropped === 1 ? "" : "s"}`, ...lines] : lines;
    return { ...noticeContent(renderMessage([out.code(shown.join("\n"))])), ...relationFor(target, { asReply: true }) };
  }
}
